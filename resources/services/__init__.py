"""Writes of the resources app (every change goes through here).

- :mod:`.catalogue`: resources and their prices (staff only);
- :mod:`.clusters`: clusters, their API tokens, the record of their syncs and
  collections, and the one cluster loop (:func:`.clusters.clusters_run`).

The accounting imports' writes are in :mod:`resources.accounting.services`.
"""
