"""Writes of the projects app, one module per subject: projects and their people
(``projects``), the applicant's side of resource requests (``requests``) and the staff's
(``request_review``), allocations (``allocations``), account mappings and usage alerts
(``usage``), and Slurm (``slurm``: what Slurm should hold; ``slurm_sync``: making it so).
The yearly reports' services are in :mod:`projects.reports.services`.

Services never import :mod:`projects.tasks`: a caller that must queue work after a
service (a view, a command, a task) calls the task module's enqueue helper itself.
"""
