"""Research output pages: a project's outputs (add by hand, BibTeX upload, HAL import,
remove) for its people and staff, and the staff's list of every output
(/staff/outputs/)."""

from django.urls import path

from .views import project, staff

app_name = "outputs"

urlpatterns = [
    path("projects/<int:pk>/outputs/add/", project.output_add, name="add"),
    path("projects/<int:pk>/outputs/bibtex/", project.output_bibtex_upload, name="bibtex"),
    path("projects/<int:pk>/outputs/hal/", project.output_hal_import, name="hal"),
    path("projects/<int:pk>/outputs/<int:output_pk>/remove/", project.output_remove,
         name="remove"),
    path("staff/outputs/", staff.output_list, name="staff_list"),
]
