"""Yearly usage report pages: a project's reports, a report, its progress and its files
(members of the project and staff), and the staff's list of every report (/staff/reports/)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("projects/<int:pk>/reports/", views.project_reports, name="project_list"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/progress/", views.report_progress, name="progress"),
    path("reports/<int:pk>/files/<str:key>/", views.report_download, name="download"),
    path("staff/reports/", views.staff_reports, name="staff_list"),
    path("staff/reports/generate/", views.staff_generate, name="staff_generate"),
]
