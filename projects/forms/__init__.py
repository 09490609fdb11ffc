"""Forms of the projects app, by subject: the project sheet and its people
(``projects``), the resource request table, comments and staff decisions (``requests``),
and the usage pages' year filter and account mapping (``usage``). The yearly reports'
forms are in :mod:`projects.reports.forms`.

Forms check the shape of what is typed; the rules are the services'.
"""
