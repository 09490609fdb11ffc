from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.page_detail, {"slug": "home"}, name="home"),
    path("missions/", views.page_detail, {"slug": "missions"}, name="missions"),
    path("join/", views.page_detail, {"slug": "join"}, name="join"),
    path("legal/", views.page_detail, {"slug": "legal"}, name="legal"),
    path("privacy/", views.page_detail, {"slug": "privacy"}, name="privacy"),
    path("staff/pages/", views.page_list, name="staff_list"),
    path("staff/pages/<slug:slug>/edit/", views.page_edit, name="staff_edit"),
]
