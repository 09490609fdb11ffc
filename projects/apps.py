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

        from members import personal_data

        from . import personal_data as projects_data

        personal_data.register_section("projects", projects_data.projects_of)
        personal_data.register_section("resource_requests", projects_data.requests_by)
        personal_data.register_section("request_comments", projects_data.comments_by)
        personal_data.register_deletion_blocker(projects_data.deletion_blockers)
        personal_data.register_deletion_hook(projects_data.on_deletion)
