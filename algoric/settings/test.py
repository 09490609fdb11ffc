"""Settings for the test suite.

On the embedded defaults: in-memory SQLite, eager Celery, emails kept in memory.
With ``DATABASE_URL`` and ``CELERY_BROKER_URL`` set, the same suite runs against
PostgreSQL and Redis; tests marked ``worker`` then start a real Celery worker.
"""

import os
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import CELERY_TASK_ALWAYS_EAGER, DATABASES, VAR_DIR, env
from .identity import with_demo_identity

DEBUG = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: tests with several connections (concurrent decisions, the
    # live server of the browser tests) then get SQLite's normal locking.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# A queue of its own per test session, so a shared Redis never hands this run's
# messages to another run's worker (or the other way round).
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "CELERY_TASK_DEFAULT_QUEUE", default=f"algoric-test-{os.getpid()}"
)
if CELERY_TASK_ALWAYS_EAGER:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    # The worker is another process: messages are exchanged through files.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / f"test-mail-{os.getpid()}"))

# Each rate-limited test gets its own counters (the database cache table is cleared
# between tests by the fixtures in tests/conftest.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "algoric_cache",
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "algoric-pages-test",
    },
    # Table versions (algoric.core.table_versions): in this process, or in Redis shared
    # with the worker (same key prefix as this run's queue) when the run has one.
    "table-versions": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
         "LOCATION": "algoric-table-versions-test"} if CELERY_TASK_ALWAYS_EAGER else
        {"BACKEND": "django.core.cache.backends.redis.RedisCache",
         "LOCATION": env.str("CELERY_BROKER_URL"), "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE}),
}
TABLE_VERSIONS_ALIAS = "table-versions"
# The worker of the worker tests is another process: it is given this folder by name.
USAGE_REPORTS_DIR = Path(env.str("USAGE_REPORTS_DIR",
                                 default=str(VAR_DIR / f"test-reports-{os.getpid()}")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The association's identity: made-up values wherever the environment sets none.
vars().update(with_demo_identity({name: value for name, value in vars().copy().items()
                                  if name.startswith(("ASSOCIATION_", "INVOICE_"))}))
