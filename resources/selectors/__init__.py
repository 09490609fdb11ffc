"""Reads of the resources app, shared by its views, its tasks and the apps above.

- :mod:`.catalogue`: the resource catalogue (public page, request form, staff list);
- :mod:`.estimates`: cost and energy of an amount of a resource (request form, reports);
- :mod:`.clusters`: clusters by name or token, failed or overdue runs;
- :mod:`.usage`: usage sums from the usage summaries, job distributions.

The accounting imports' own reads are in :mod:`resources.accounting.selectors`.
"""
