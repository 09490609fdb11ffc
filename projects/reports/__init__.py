"""The yearly usage reports, a world of their own: everything about them but the Celery
tasks (``projects.tasks``: the generation task, the yearly and sweeper beat tasks, and
the enqueue helpers) and the model (``projects.models.UsageReport``).

- ``content``: what a report says, whatever its format (sections, figures, tables,
  charts); ``common``: the pieces both reports share; ``project`` and ``centre``: how
  the content of a project's report and of the centre's is built;
- ``render``: the content written as PDF, CSV (zipped) and XLSX;
- ``services``: asking for a report, generating its files, telling its readers;
- ``selectors``: who may read which report, who is told, which projects get one,
  which reports lost their task;
- ``views``, ``forms``, ``urls``: the report pages (namespace ``projects:reports``).
"""
