"""Member usage pages (at the site root): a project's use of its grants."""

from django.urls import path

from .views import usage

app_name = "usage"

urlpatterns = [
    path("projects/<int:pk>/usage/", usage.project_usage, name="project_usage"),
]
