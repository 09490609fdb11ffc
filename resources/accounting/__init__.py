"""Accounting import: Slurm ``sacct`` and SWF traces into job records and usage summaries.

``parsing`` reads a binary stream (plain or gzip) in chunks and parses shared fields;
``sacct`` and ``swf`` turn lines into row tuples (memory flat with file size);
``writers`` stores rows (PostgreSQL ``COPY`` + ``INSERT … ON CONFLICT DO NOTHING``,
SQLite ``INSERT OR IGNORE``); ``summaries`` keeps the usage summaries; ``services``
creates and runs imports (the entry points for the upload page, the API and the
``import_accounting`` command).
"""
