"""Routes of the projects app: projects and their people, resource requests, usage,
public projects and statistics, the staff's request desk, lists of all projects and
allocations, and usage pages (named ``staff_…``), the yearly reports (namespace
``projects:reports``) and the research outputs (namespace ``projects:outputs``)."""

from django.urls import include, path

from .views import lifecycle, projects, public, requests, statistics, usage
from .views.staff import allocations as staff_allocations
from .views.staff import lists as staff_lists
from .views.staff import requests as staff_requests
from .views.staff import usage as staff_usage

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
    path("public/projects/", public.public_project_list, name="public_list"),
    path("public/projects/<int:pk>/", public.public_project_detail, name="public_detail"),
    path("statistics/", statistics.public_statistics_view, name="public_statistics"),
    # Resource requests (applicant side)
    path("projects/<int:pk>/requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/estimate/", requests.request_estimate, name="request_estimate"),
    path("requests/<int:pk>/submit/", requests.request_submit, name="request_submit"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/comment/", requests.request_comment, name="request_comment"),
    path("projects/<int:pk>/renew/", lifecycle.request_renew, name="request_renew"),
    path("requests/<int:pk>/activity-report/", lifecycle.activity_report_edit,
         name="activity_report_edit"),
    path("allocations/<int:pk>/extend/", lifecycle.allocation_extension_create,
         name="allocation_extension_create"),
    path("extensions/<int:pk>/withdraw/", lifecycle.allocation_extension_withdraw,
         name="allocation_extension_withdraw"),
    # Usage
    path("projects/<int:pk>/usage/", usage.project_usage, name="project_usage"),
    # Staff: the request desk and allocations
    path("staff/projects/", staff_requests.request_queue, name="staff_request_queue"),
    path("staff/projects/requests/<int:pk>/", staff_requests.request_review,
         name="staff_request_review"),
    path("staff/projects/requests/<int:pk>/start-review/", staff_requests.request_start_review,
         name="staff_request_start_review"),
    path("staff/projects/requests/<int:pk>/decide/", staff_requests.request_decide,
         name="staff_request_decide"),
    path("staff/projects/requests/<int:pk>/reject/", staff_requests.request_reject,
         name="staff_request_reject"),
    path("staff/projects/requests/<int:pk>/comment/", staff_requests.request_comment,
         name="staff_request_comment"),
    path("staff/projects/allocations/<int:pk>/", staff_allocations.allocation_detail,
         name="staff_allocation_detail"),
    path("staff/projects/allocations/<int:pk>/reduce/", staff_allocations.allocation_reduce,
         name="staff_allocation_reduce"),
    path("staff/projects/allocations/<int:pk>/transfer/",
         staff_allocations.allocation_transfer, name="staff_allocation_transfer"),
    path("staff/projects/extensions/<int:pk>/approve/", staff_allocations.extension_approve,
         name="staff_extension_approve"),
    path("staff/projects/extensions/<int:pk>/refuse/", staff_allocations.extension_refuse,
         name="staff_extension_refuse"),
    path("staff/projects/allocations/<int:pk>/suspend/", staff_allocations.allocation_suspend,
         name="staff_allocation_suspend"),
    path("staff/projects/allocations/<int:pk>/resume/", staff_allocations.allocation_resume,
         name="staff_allocation_resume"),
    path("staff/projects/requests/<int:pk>/return/", staff_requests.request_return,
         name="staff_request_return"),
    # Staff: every project and every allocation
    path("staff/projects/all/", staff_lists.project_list, name="staff_project_list"),
    path("staff/allocations/", staff_lists.allocation_list, name="staff_allocation_list"),
    # Staff: the centre's usage and the mapping of accounts
    path("staff/usage/", staff_usage.staff_dashboard, name="staff_usage_dashboard"),
    path("staff/usage/accounts/", staff_usage.unmatched_accounts_page,
         name="staff_unmatched_accounts"),
    path("staff/usage/accounts/map/", staff_usage.alias_create, name="staff_alias_create"),
    path("staff/usage/accounts/aliases/<int:pk>/delete/", staff_usage.alias_delete,
         name="staff_alias_delete"),
    # Yearly usage reports
    path("", include("projects.reports.urls")),
    # Research outputs
    path("", include("projects.outputs.urls")),
]
