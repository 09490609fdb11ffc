"""Staff pages of the resource catalogue (mounted at ``staff/resources/``)."""

from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("", views.catalogue, name="list"),
    path("new/", views.resource_create, name="create"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/toggle-active/", views.resource_toggle_active, name="toggle_active"),
]
