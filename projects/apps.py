from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects, resource requests, allocations and reports: the top of the app stack."""

    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from members.dashboard import DashboardSection, register_dashboard_section

        from .selectors import staff_dashboard_requests

        register_dashboard_section(DashboardSection(
            template="projects/staff/_dashboard_requests.html",
            context=lambda request: staff_dashboard_requests(), order=10))
