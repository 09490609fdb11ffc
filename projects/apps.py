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
        from algoric.notifications.models import NotificationCategory as Category

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
        registries.register_personal_data("research_outputs", personal_data.outputs_added_by)
        registries.register_deletion_blocker(personal_data.deletion_blockers)
        registries.register_deletion_hook(project_members_remove_for_deleted_user)

        # Notifications: requests and projects; allocations and usage; reports. An
        # emergency request reaches staff at once (its fast track); a suspension refuses
        # access to the centre, always told at once.
        registries.register_notification_events(Category.REQUESTS, events=[
            "request_submitted", "request_comment", "request_returned", "request_decided",
            "project_member_added", "project_invitation",
        ], mandatory=["request_emergency"])
        registries.register_notification_events(Category.ALLOCATIONS, events=[
            "allocation_expiring", "allocation_resumed", "usage_threshold",
            "allocation_hours_changed", "allocation_extension_asked",
            "allocation_extension_decided", "allocation_extension_withdrawn",
        ], mandatory=["allocation_suspended"])
        registries.register_notification_events(Category.REPORTS,
                                                events=["usage_report_ready"])
        registries.register_notification_events(Category.OUTPUTS,
                                                events=["outputs_reminder", "outputs_hal_import"])
        # The public pages showing projects and usage are served again at once.
        register_public_content(Project, "projects")
        register_public_content(AccountAlias, "usage")
