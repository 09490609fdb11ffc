"""Views of the projects app, by subject: projects and their people (``projects``), the
public pages of projects (``public``) and of the statistics (``statistics``), the
applicant's request pages (``requests``, with what they show in ``request_display``), a
project's usage (``usage``), and the staff's pages (``staff``). The yearly reports' pages
are in :mod:`projects.reports.views`."""
