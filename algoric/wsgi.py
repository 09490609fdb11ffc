"""WSGI entry point (gunicorn ``algoric.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "algoric.settings.local")

application = get_wsgi_application()
