"""Pages of the resources app: the public hardware page (:mod:`.hardware`) and the staff
catalogue (:mod:`.catalogue`). The accounting pages are in :mod:`resources.accounting.views`.
"""
