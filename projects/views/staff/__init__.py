"""Staff pages of the projects app (two-factor authentication required): the request
desk (``requests``), the suspension of allocations (``allocations``), and the centre's
usage with the mapping of unmatched Slurm accounts (``usage``). The staff's report pages
are in :mod:`projects.reports.views`."""
