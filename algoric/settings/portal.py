"""The portal's own rules: the numbers the association tunes for its work.

Read through the same django-environ ``env`` as :mod:`algoric.settings.base` (which imports
every name here) and documented in ``.env.example``: retention, the outbox, accounting files,
grants and memberships, Slurm, the energy model, the public statistics, research outputs, training.
"""

import environ

from .schedule import beat_schedule

env = environ.Env()

# --- Retention, outbox, accounting files, grants --------------------------------------------
# Days an audit event is kept (the privacy page says 12 months).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# Notifications: how many times the outbox tries one message before marking it failed,
# and how old a pending message must be before the sweeper queues it again (seconds).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
NOTIFICATION_SWEEP_AFTER = env.int("NOTIFICATION_SWEEP_AFTER", default=60)

# Accounting import: files larger than this are refused before parsing (bytes); past
# this share of bad lines a file is taken to be in the wrong format and nothing is kept.
ACCOUNTING_MAX_FILE_BYTES = env.int("ACCOUNTING_MAX_FILE_BYTES", default=2 * 1024**3)
ACCOUNTING_BAD_LINE_LIMIT = env.float("ACCOUNTING_BAD_LINE_LIMIT", default=0.05)

# Longest time box of an emergency grant, in days from the decision.
EMERGENCY_GRANT_MAX_DAYS = env.int("EMERGENCY_GRANT_MAX_DAYS", default=30)
# Days of a new year during which an organisation that paid (or was waived) last year keeps
# access while its new membership is unpaid (members.services.access).
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=90)
# Largest share of a year's grant (grants and supplements of the year, 0.25 = 25 %) staff
# may transfer, unused, to the next year (projects.services.allocation_hours).
ALLOCATION_TRANSFER_MAX_SHARE = env.float("ALLOCATION_TRANSFER_MAX_SHARE", default=0.25)

# --- Slurm (projects.services.slurm_sync, resources.accounting.services.collect) ------------

# Slurm's client commands, run with argument lists (name on PATH or absolute path).
SLURM_SACCTMGR = env.str("SLURM_SACCTMGR", default="sacctmgr")
SLURM_SACCT = env.str("SLURM_SACCT", default="sacct")
# Seconds a sacctmgr command may take; a sacct collection (larger output) may take longer.
SLURM_COMMAND_TIMEOUT = env.float("SLURM_COMMAND_TIMEOUT", default=60)
SLURM_SACCT_TIMEOUT = env.float("SLURM_SACCT_TIMEOUT", default=600)
# Hourly: make Slurm's accounts, users and GrpTRESMins match the portal (every cluster).
SLURM_SYNC = env.bool("SLURM_SYNC", default=False)
# Every 15 minutes: run sacct on this machine and import the jobs (every cluster).
ACCOUNTING_COLLECT = env.bool("ACCOUNTING_COLLECT", default=False)
CELERY_BEAT_SCHEDULE = beat_schedule(slurm_sync=SLURM_SYNC, accounting_collect=ACCOUNTING_COLLECT)

# --- Energy model (resources.energy; Green Algorithms) --------------------------------------
# Each constant comes with the text that says where it comes from. An empty *_SOURCE
# (the default) shows the source of the default value, translated into the reader's
# language (resources.energy.DEFAULT_SOURCES); set one when you change its constant.

# Power usage effectiveness: facility energy / IT energy. 1.67 is the world average
# data-centre PUE used by Green Algorithms as its default (Uptime Institute survey 2019).
ENERGY_PUE = env.float("ENERGY_PUE", default=1.67)
ENERGY_PUE_SOURCE = env.str(
    "ENERGY_PUE_SOURCE",
    default="",
)
# Grid carbon intensity, gCO2e/kWh: France, Green Algorithms data set (CC-BY-4.0).
ENERGY_CARBON_INTENSITY_G_PER_KWH = env.float("ENERGY_CARBON_INTENSITY_G_PER_KWH",
                                              default=51.28)
ENERGY_CARBON_INTENSITY_SOURCE = env.str(
    "ENERGY_CARBON_INTENSITY_SOURCE",
    default="",
)
# Electricity price, EUR/kWh, all taxes included: EDF regulated "Tarif Bleu" base
# option, from 1 February 2025. Set the association's own contract price here.
ENERGY_PRICE_EUR_PER_KWH = env.float("ENERGY_PRICE_EUR_PER_KWH", default=0.2016)
ENERGY_PRICE_SOURCE = env.str(
    "ENERGY_PRICE_SOURCE",
    default="",
)
# Share of the energy that the site could recover as useful heat (0 to 1). No heat
# recovery is installed by default.
ENERGY_HEAT_RECOVERY_FRACTION = env.float("ENERGY_HEAT_RECOVERY_FRACTION", default=0.0)
ENERGY_HEAT_RECOVERY_SOURCE = env.str(
    "ENERGY_HEAT_RECOVERY_SOURCE", default=""
)

# --- Public statistics (projects.selectors.statistics) ---------------------------------------

# Seconds the public statistics (home page, statistics page) are kept in the cache before
# they are computed again from the usage summaries.
PUBLIC_STATISTICS_CACHE_SECONDS = env.int("PUBLIC_STATISTICS_CACHE_SECONDS", default=300)
# Research outputs: BibTeX size limit (bytes); HAL search API, timeouts (s), retries, rows read.
OUTPUTS_BIBTEX_MAX_BYTES = env.int("OUTPUTS_BIBTEX_MAX_BYTES", default=2 * 1024 * 1024)
HAL_API_URL = env.str("HAL_API_URL", default="https://api.archives-ouvertes.fr/search/")
HAL_CONNECT_TIMEOUT_SECONDS, HAL_READ_TIMEOUT_SECONDS = (
    env.float("HAL_CONNECT_TIMEOUT_SECONDS", default=5.0),
    env.float("HAL_READ_TIMEOUT_SECONDS", default=20.0))
HAL_RETRIES, HAL_MAX_ROWS = env.int("HAL_RETRIES", default=2), env.int("HAL_MAX_ROWS", default=500)

# --- Training (training) --------------------------------------------------------------------
# Training: days after a session's end its attendees stay in its Slurm account and its
# course logins may sign in; most course logins generated for a session at a time.
TRAINING_ACCESS_DAYS_AFTER = env.int("TRAINING_ACCESS_DAYS_AFTER", default=7)
TRAINING_MAX_COURSE_LOGINS = env.int("TRAINING_MAX_COURSE_LOGINS", default=60)
