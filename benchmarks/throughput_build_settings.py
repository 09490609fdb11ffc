"""Settings of the data-building steps of ``pages_throughput.py``: the local settings with
a fast password hasher, so that seeding 1,000 members takes seconds, not minutes of
PBKDF2. The pages are then served with ``algoric.settings.production``; no page measured
checks a password (the benchmark's sessions are written directly)."""

from algoric.settings.local import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
