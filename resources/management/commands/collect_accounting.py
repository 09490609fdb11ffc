"""``manage.py collect_accounting [--cluster NAME] [--since DATE]``: run sacct, import."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resources.accounting.services.collect import CollectError, accounting_collect
from resources.services.clusters import LOCK_SECONDS, ClusterSelectionError, clusters_run


def parse_since(value: str) -> datetime.datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``, read as UTC; raises ``CommandError``."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--since takes a date (2026-01-31) or a UTC time "
                             "(2026-01-31T12:00:00), not “%(value)s”.") % {"value": value}
                           ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


class Command(BaseCommand):
    """Run ``sacct`` on this machine and import the jobs through the accounting import.

    From ``--since`` (UTC) or else from the last collected end time (less an hour of
    overlap; each job is stored once). Every registered cluster, or only
    ``--cluster``. Exits non-zero, with the reason, when ``sacct`` is missing, fails
    or times out, or the import fails; the failure is recorded on the cluster and
    shown on the staff dashboard.
    """

    help = "Run sacct and import the finished jobs of a cluster (or of every cluster)."

    def add_arguments(self, parser):
        parser.add_argument("--cluster", help="the cluster's name (default: every cluster)")
        parser.add_argument("--since", help="start of the window, UTC (default: the last "
                            "collected end time less one hour)")

    def handle(self, *args, cluster: str | None, since: str | None, **options):
        start = parse_since(since) if since else None
        try:
            # Without --since, each cluster's window starts where its last one ended
            # (accounting_collect's default).
            outcomes = clusters_run(
                work="collect", run=lambda item: accounting_collect(cluster=item, since=start),
                errors=(CollectError,), name=cluster, lock_seconds=LOCK_SECONDS)
        except ClusterSelectionError as exc:
            raise CommandError(str(exc)) from exc
        failures = []
        for outcome in outcomes:
            item, result = outcome.cluster, outcome.result
            if not outcome.ok:
                self.stderr.write(_("%(cluster)s: %(error)s") % {"cluster": item.name,
                                                                  "error": outcome.error})
                failures.append(item.name)
                continue
            if result.import_id is None:
                self.stdout.write(_("%(cluster)s: nothing new since %(since)s UTC.")
                                  % {"cluster": item.name,
                                     "since": f"{result.since:%Y-%m-%d %H:%M:%S}"})
            else:
                self.stdout.write(
                    _("%(cluster)s: import #%(id)d from %(since)s UTC: %(added)d jobs added, "
                      "%(duplicates)d already known, %(unfinished)d not finished yet.")
                    % {"cluster": item.name, "id": result.import_id,
                       "since": f"{result.since:%Y-%m-%d %H:%M:%S}",
                       "added": result.jobs_added, "duplicates": result.duplicates,
                       "unfinished": result.unfinished})
        if failures:
            raise CommandError(_("Collection failed for: %(clusters)s")
                               % {"clusters": ", ".join(failures)})
