"""Routes of the resources app: the public hardware page, the staff's resource catalogue
(``/staff/resources/``, named ``staff_…``) and the accounting pages
(``/staff/accounting/``, namespace ``resources:accounting``).

The accounting push API (``/api/accounting/``) is outside the language prefixes and
routed by ``algoric.urls``.
"""

from django.urls import include, path

from . import views

app_name = "resources"

urlpatterns = [
    path("hardware/", views.hardware, name="hardware"),
    path("staff/resources/", views.catalogue, name="staff_list"),
    path("staff/resources/new/", views.resource_create, name="staff_create"),
    path("staff/resources/<int:pk>/edit/", views.resource_edit, name="staff_edit"),
    path("staff/resources/<int:pk>/toggle-active/", views.resource_toggle_active,
         name="staff_toggle_active"),
    path("staff/accounting/", include("resources.accounting.urls")),
]
