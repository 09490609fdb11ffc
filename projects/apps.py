from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects, resource requests, allocations and reports: the top of the app stack."""

    name = "projects"
    verbose_name = _("Projects")
