"""``manage.py slurm_export``: print what Slurm should hold for the portal's projects."""

from django.core.management.base import BaseCommand

from projects.services.slurm import render_commands, render_flat, slurm_plan


class Command(BaseCommand):
    """Print ``sacctmgr`` commands (default) or a ``sacctmgr load`` flat file.

    Accounts of projects with CPU/GPU allocations this year, their members' cluster
    logins, and ``GrpTRESMins`` from the year's grants (zero for suspended or
    expired allocations, and for projects whose organisation may not use the centre
    today, with a comment line saying why). Prints the same output when run twice.
    """

    help = "Print the sacctmgr commands (or flat file) that set up projects' Slurm accounts."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["commands", "flat"], default="commands")
        parser.add_argument("--cluster", help="only this Slurm cluster")
        parser.add_argument("--year", type=int, help="allocation year (default: this year)")

    def handle(self, *args, format: str, cluster: str | None, year: int | None, **options):
        plans = slurm_plan(year=year, cluster=cluster)
        lines = render_flat(plans) if format == "flat" else render_commands(plans)
        for line in lines:
            self.stdout.write(line)
