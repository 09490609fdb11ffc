"""Staff usage pages (at /staff/usage/): the centre's usage and the mapping of accounts."""

from django.urls import path

from .views import usage

app_name = "usage_staff"

urlpatterns = [
    path("", usage.staff_dashboard, name="dashboard"),
    path("accounts/", usage.unmatched_accounts_page, name="unmatched_accounts"),
    path("accounts/map/", usage.alias_create, name="alias_create"),
    path("accounts/aliases/<int:pk>/delete/", usage.alias_delete, name="alias_delete"),
]
