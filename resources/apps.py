from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """The centre's machines, catalogue and accounting: the middle of the app stack."""

    name = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        from members.dashboard import DashboardSection, register_dashboard_section

        from .selectors import cluster_failures

        # Failed or overdue Slurm syncs and accounting collections (shown only when any).
        register_dashboard_section(DashboardSection(
            template="resources/staff/_dashboard_clusters.html",
            context=lambda request: {"failures": cluster_failures()}, order=5))
