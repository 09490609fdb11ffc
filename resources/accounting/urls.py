"""Staff accounting pages (under ``/staff/accounting/``): imports and clusters."""

from django.urls import path

from . import views

app_name = "accounting"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/progress.json", views.import_progress, name="progress"),
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/<int:pk>/token/", views.cluster_token, name="cluster_token"),
]
