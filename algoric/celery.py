"""The Celery application of the portal.

Configuration comes from Django settings under the ``CELERY_`` namespace (see
``algoric/settings/base.py``); tasks are discovered in each app's ``tasks.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "algoric.settings.local")

app = Celery("algoric")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
