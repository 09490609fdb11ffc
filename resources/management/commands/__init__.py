"""``import_accounting`` (a file) and ``collect_accounting`` (``sacct`` on this machine)."""
