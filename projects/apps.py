from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects, resource requests, allocations and reports: the top of the app stack."""

    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Imported here: these modules import the models, which need the app registry
        # ready (Django's app loading).
        from algoric.core import registries
        from algoric.core.page_cache import register_public_content

        from .models import AccountAlias, Project
        from .selectors import personal_data
        from .selectors.requests import staff_dashboard_requests
        from .services.projects import project_members_remove_for_deleted_user

        registries.register_dashboard_section(registries.DashboardSection(
            template="projects/staff/_dashboard_requests.html",
            context=lambda request: staff_dashboard_requests(), order=10))
        registries.register_personal_data("projects", personal_data.projects_of)
        registries.register_personal_data("resource_requests", personal_data.requests_by)
        registries.register_personal_data("request_comments", personal_data.comments_by)
        registries.register_deletion_blocker(personal_data.deletion_blockers)
        registries.register_deletion_hook(project_members_remove_for_deleted_user)

        # The public pages showing projects and usage are served again at once.
        register_public_content(Project, "projects")
        register_public_content(AccountAlias, "usage")
