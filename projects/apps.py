from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects, resource requests, allocations and reports: the top of the app stack."""

    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Importing the app's modules needs the app registry ready, hence here.
        from algoric.core import registries

        from . import personal_data as projects_data
        from .selectors import staff_dashboard_requests

        registries.register_dashboard_section(registries.DashboardSection(
            template="projects/staff/_dashboard_requests.html",
            context=lambda request: staff_dashboard_requests(), order=10))
        registries.register_personal_data("projects", projects_data.projects_of)
        registries.register_personal_data("resource_requests", projects_data.requests_by)
        registries.register_personal_data("request_comments", projects_data.comments_by)
        registries.register_deletion_blocker(projects_data.deletion_blockers)
        registries.register_deletion_hook(projects_data.on_deletion)
