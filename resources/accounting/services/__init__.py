"""Writes of the accounting: receiving a file, importing it, keeping the summaries.

- :mod:`.intake`: the streaming hash of a received file, creating its import and
  storing the file (the upload page and the push API);
- :mod:`.imports`: creating an import (refusing duplicates and oversized files) and
  running it (the entry points for the worker, the command and the collection);
- :mod:`.pipeline`: what runs beside an import's transaction (progress, writer thread);
- :mod:`.writers`: storing parsed rows (PostgreSQL ``COPY``, SQLite ``INSERT OR IGNORE``);
- :mod:`.summaries`: adding an import's jobs to the usage summaries;
- :mod:`.collect`: running ``sacct`` on this machine and importing its output.
"""
