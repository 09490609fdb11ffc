"""Forms of the projects app, by subject: the project sheet and its people
(``projects``), the resource request table, comments and staff decisions (``requests``),
the usage pages' year filter and account mapping (``usage``), and the activity report,
extensions and the staff's changes of hours (``allocations``). The yearly reports'
forms are in :mod:`projects.reports.forms`.

Forms check the shape of what is typed; the rules are the services'.
"""
