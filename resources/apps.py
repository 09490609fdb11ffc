"""The resources app's configuration: its dashboard block and health check of the clusters."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """The centre's machines, catalogue and accounting: the middle of the app stack."""

    name = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        # Importing the app's modules needs the app registry ready, hence here.
        from algoric.core import registries
        from algoric.core.page_cache import register_public_content

        from .models import Cluster, Resource, ResourcePrice
        from .selectors.clusters import cluster_failures

        # Failed or overdue Slurm syncs and accounting collections: a dashboard block
        # (shown only when any) and a degraded /healthz.
        registries.register_dashboard_section(registries.DashboardSection(
            template="resources/staff/_dashboard_clusters.html",
            context=lambda request: {"failures": cluster_failures()}, order=5))
        registries.register_health_check("clusters", cluster_failures)

        # The public pages showing the catalogue are served again at once (those showing
        # the usage: accounting.services.summaries says when the summaries change).
        for model in (Resource, ResourcePrice, Cluster):
            register_public_content(model, "catalogue")
