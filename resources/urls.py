"""Routes of the resources app: the public hardware page, the staff's resource catalogue
(``/staff/resources/``, named ``staff_…``) and the accounting pages
(``/staff/accounting/``, namespace ``resources:accounting``).

The accounting push API (``/api/accounting/``) is outside the language prefixes and
routed by ``algoric.urls``.
"""

from django.urls import include, path

from .views import catalogue, hardware

app_name = "resources"

urlpatterns = [
    path("hardware/", hardware.hardware, name="hardware"),
    path("staff/resources/", catalogue.catalogue, name="staff_list"),
    path("staff/resources/new/", catalogue.resource_create, name="staff_create"),
    path("staff/resources/<int:pk>/edit/", catalogue.resource_edit, name="staff_edit"),
    path("staff/resources/<int:pk>/toggle-active/", catalogue.resource_toggle_active,
         name="staff_toggle_active"),
    path("staff/accounting/", include("resources.accounting.urls")),
]
