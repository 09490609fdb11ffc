"""Reads of the projects app shared by views, tasks, commands and the other parts of the
app, by subject: projects and their people (``projects``), resource requests and the
estimates of their tables (``requests``), usage in the projects' terms (``usage``), the
public statistics (``statistics``), and a member's personal data (``personal_data``).
The yearly reports' reads are in :mod:`projects.reports.selectors`."""
