# syntax=docker/dockerfile:1
#
# Image of the Algoric portal: one image for the web, worker, beat and migrate
# services of docker-compose.yml (each service sets its own command; the default
# command is the web server).
#
#   docker build -t algoric-portal:latest .
#
# Stage "build" installs the dependencies into a virtualenv (the lock file as pip
# constraints), compiles the translations and collects the static files; the final
# stage copies only the virtualenv, the source and the collected static files, and
# runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.13-slim

# --- build ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

# gettext provides msgfmt for compilemessages; it stays in this stage only (its
# version is Debian's of the base image, so it is not pinned).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv

# Dependencies first, so that a change of the source alone reuses this layer.
# pyproject.toml has `packages = []`: `pip install .` installs the dependencies
# and an empty distribution; the code runs from /app (WORKDIR).
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock . \
 && pip uninstall -y algoric-portal

COPY . .

# Data directory of the portal: static files collected at build time under
# staticfiles/, private files under private/ (a volume in docker-compose.yml).
ENV ALGORIC_VAR_DIR=/var/lib/algoric

# The .mo files are committed, but compiling them again keeps them in step with the
# .po files. collectstatic runs with production settings (manifest storage) and
# throwaway values for this one command only: nothing connects to them.
RUN if [ -n "$(find . -path '*/locale/*' -name '*.po' -print -quit)" ]; then \
        DJANGO_SETTINGS_MODULE=algoric.settings.local \
        python manage.py compilemessages --verbosity 0; \
    fi \
 && DJANGO_SETTINGS_MODULE=algoric.settings.production \
    DJANGO_SECRET_KEY=build-only-throwaway-key-not-used-at-run-time-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=redis://x \
    EMAIL_URL=consolemail:// \
    SECURE_SSL_REDIRECT=false \
    python manage.py collectstatic --noinput --verbosity 1 \
 && rm -f /tmp/build.sqlite3 \
 && python -m compileall -q /app

# --- runtime --------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="Algoric portal" \
      org.opencontainers.image.description="Member and allocation portal of the Algoric HPC mesocentre" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=algoric.settings.production \
    ALGORIC_VAR_DIR=/var/lib/algoric

# WeasyPrint (the agreement and report PDFs) loads Pango, PangoFT2 and HarfBuzz's
# subsetter at run time (without the subsetter it warns, and future versions require
# it); the PDFs are set in DejaVu Sans/Serif (fonts-dejavu-core). Debian's versions of
# the base image, so not pinned. postgresql-client gives pg_dump and pg_restore to
# `manage.py backup_portal` / `restore_portal` (docs/operations.md).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 algoric \
 && useradd --system --uid 10001 --gid algoric --home-dir /var/lib/algoric \
        --no-create-home --shell /usr/sbin/nologin algoric

# Code and dependencies belong to root and are read-only for the portal's user;
# only the private-files directory is writable by it: $ALGORIC_VAR_DIR/private, the
# default PRIVATE_MEDIA_ROOT, a named volume in compose that takes this ownership
# when it is first created.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=build /var/lib/algoric/staticfiles /var/lib/algoric/staticfiles
RUN install -d -o algoric -g algoric -m 0750 /var/lib/algoric/private

WORKDIR /app
# Numeric, so that a runtime enforcing non-root users can verify it.
USER 10001:10001

EXPOSE 8000

# The web role; docker-compose.yml runs the same image as worker, beat and migrate.
CMD ["gunicorn", "algoric.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--graceful-timeout", "20", "--access-logfile", "-"]
