from django.urls import path

from .views import staff

app_name = "projects_staff"

urlpatterns = [
    path("", staff.request_queue, name="request_queue"),
    path("requests/<int:pk>/", staff.request_review, name="request_review"),
    path("requests/<int:pk>/start-review/", staff.request_start_review,
         name="request_start_review"),
    path("requests/<int:pk>/decide/", staff.request_decide, name="request_decide"),
    path("requests/<int:pk>/reject/", staff.request_reject, name="request_reject"),
    path("requests/<int:pk>/comment/", staff.request_comment, name="request_comment"),
    path("allocations/<int:pk>/suspend/", staff.allocation_suspend, name="allocation_suspend"),
    path("allocations/<int:pk>/resume/", staff.allocation_resume, name="allocation_resume"),
]
