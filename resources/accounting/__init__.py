"""Accounting: Slurm ``sacct`` and SWF traces into job records and usage summaries.

A world of its own inside ``resources``, with the app's inner shape:

- ``models``: imports, job records, usage summaries (re-exported by
  :mod:`resources.models`);
- ``parsing``: reading a file as a stream (plain or gzip) and turning its lines into
  rows (``fields`` shared by ``sacct`` and ``swf``; memory flat with file size);
- ``services``: receiving a file (``intake``: the streaming hash, the stored file),
  running an import (``imports``, ``pipeline``), storing rows (``writers``: PostgreSQL
  ``COPY`` + ``INSERT … ON CONFLICT DO NOTHING``, SQLite ``INSERT OR IGNORE``),
  keeping the usage summaries (``summaries``), collecting with ``sacct``
  (``collect``);
- ``selectors``: the reads of imports (duplicates, shifted traces, energy figures);
- ``forms``, ``views``, ``urls`` (namespace ``resources:accounting``): the staff
  pages (imports, upload, clusters and their tokens);
- ``api``: the push API (``POST /api/accounting/``, routed by ``algoric.urls``).

Imports run in a worker (:func:`resources.tasks.run_accounting_import`); the
``import_accounting`` and ``collect_accounting`` commands run them inline.
"""
