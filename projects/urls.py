from django.urls import path

from .views import projects, requests, statistics

app_name = "projects"

urlpatterns = [
    # Projects and their people
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/close/", projects.project_close, name="project_close"),
    path("projects/<int:pk>/members/add/", projects.project_member_add,
         name="project_member_add"),
    path("projects/<int:pk>/members/<int:member_pk>/role/", projects.project_member_role,
         name="project_member_role"),
    path("projects/<int:pk>/members/<int:member_pk>/remove/", projects.project_member_remove,
         name="project_member_remove"),
    path("projects/<int:pk>/invitations/<int:invitation_pk>/revoke/",
         projects.project_invitation_revoke, name="project_invitation_revoke"),
    path("project-invitations/<str:token>/", projects.invitation_accept,
         name="invitation_accept"),
    path("public/projects/", projects.public_project_list, name="public_list"),
    path("public/projects/<int:pk>/", projects.public_project_detail, name="public_detail"),
    path("statistics/", statistics.public_statistics_view, name="public_statistics"),
    # Resource requests (applicant side)
    path("projects/<int:pk>/requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/estimate/", requests.request_estimate, name="request_estimate"),
    path("requests/<int:pk>/submit/", requests.request_submit, name="request_submit"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/comment/", requests.request_comment, name="request_comment"),
]
