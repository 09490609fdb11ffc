"""The resources app: the centre's catalogue, its clusters and their accounting.

The middle of the app stack: it imports ``members`` and ``algoric``, never ``projects``.

- ``models/``: the catalogue (resources, prices), the clusters; the accounting models
  are re-exported from ``accounting/``;
- ``services/``, ``selectors/``: writes and reads of the catalogue and the clusters
  (``services.clusters.clusters_run``: the one cluster loop), usage sums
  (``selectors.usage``) and estimates (``selectors.estimates``);
- ``energy``: the energy model (Green Algorithms formulas and constants, no database);
- ``slurm_cli``: the Slurm command-line adapter (``sacctmgr``, ``sacct``, the cluster lock);
- ``forms``, ``views/``, ``urls``, ``admin``: the public hardware page and the staff
  catalogue;
- ``tasks``: the Celery tasks (accounting imports, collection); ``management/commands``:
  ``import_accounting``, ``collect_accounting``;
- ``accounting/``: accounting files into job records and usage summaries, a world of
  its own with the same inner shape.
"""
