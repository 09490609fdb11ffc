from django.urls import path

from .views import profile

app_name = "members"

urlpatterns = [
    path("account/profile/", profile.profile, name="profile"),
]
