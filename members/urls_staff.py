"""Staff pages of the members app (dashboard, decisions, payments, fees, terms)."""

from django.urls import path

from algoric.pages import views as page_views

app_name = "staff"

urlpatterns = [
    # The staff dashboard; replaced by the members staff views.
    path("", page_views.page_list, name="dashboard"),
]
