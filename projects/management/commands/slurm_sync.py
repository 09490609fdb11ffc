"""``manage.py slurm_sync [--cluster NAME] [--dry-run]``: make Slurm match the portal."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.services.slurm_sync import SlurmSyncError, slurm_sync
from resources.services.clusters import LOCK_SECONDS, ClusterSelectionError, clusters_run


class Command(BaseCommand):
    """Apply to Slurm, with ``sacctmgr -i``, the differences between its associations and
    the portal's projects (accounts, users, ``GrpTRESMins``).

    ``--dry-run`` prints the ``sacctmgr`` commands it would run and changes nothing.
    Every registered cluster, or only ``--cluster``. Exits non-zero with the reason
    when ``sacctmgr`` or ``sacct`` is missing, fails or times out, or when a grant
    cannot be enforced; the outcome is recorded on the cluster (staff dashboard).
    """

    help = ("Make Slurm's accounts, users and GrpTRESMins match the portal's projects "
            "(--dry-run: print the sacctmgr commands only).")

    def add_arguments(self, parser):
        parser.add_argument("--cluster", help="the cluster's name (default: every cluster)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print the differences as sacctmgr commands; change nothing")
        parser.add_argument("--year", type=int, help="the grants' year (default: this year)")

    def handle(self, *args, cluster: str | None, dry_run: bool, year: int | None, **options):
        try:
            outcomes = clusters_run(
                work="sync", run=lambda item: slurm_sync(cluster=item, dry_run=dry_run, year=year),
                errors=(SlurmSyncError,), name=cluster, lock_seconds=LOCK_SECONDS)
        except ClusterSelectionError as exc:
            raise CommandError(str(exc)) from exc
        failures = []
        for outcome in outcomes:
            item, result, exc = outcome.cluster, outcome.result, outcome.error
            if not outcome.ok:
                applied = getattr(exc, "applied", 0)
                self.stderr.write(_("%(cluster)s: %(error)s") % {"cluster": item.name,
                                                                  "error": exc})
                if applied:
                    self.stderr.write(_("%(cluster)s: %(count)d changes were applied before "
                                        "the failure.") % {"cluster": item.name,
                                                           "count": applied})
                failures.append(item.name)
                continue
            self.report(result)
            if result.problems:
                failures.append(item.name)
        if failures:
            raise CommandError(_("Slurm synchronisation failed for: %(clusters)s")
                               % {"clusters": ", ".join(failures)})

    def report(self, result) -> None:
        """Print the changes (one ``sacctmgr`` command a line) and the problems; above the
        first change of an account the access rule holds at zero, a ``#`` line says why."""
        write = self.stdout.write
        if not result.changes:
            write(_("%(cluster)s: Slurm matches the portal, nothing to change.")
                  % {"cluster": result.cluster})
        elif result.dry_run:
            write(_("%(cluster)s: %(count)d changes to apply (dry run, nothing applied):")
                  % {"cluster": result.cluster, "count": len(result.changes)})
        else:
            write(_("%(cluster)s: %(count)d changes applied:")
                  % {"cluster": result.cluster, "count": result.applied})
        said = set()
        for change in result.changes:
            if change.account not in said and result.comment(change.account):
                said.add(change.account)
                write(result.comment(change.account))
            write(change.command)
        for problem in result.problems:
            self.stderr.write(_("%(cluster)s: %(problem)s") % {"cluster": result.cluster,
                                                                "problem": problem})
