"""URL configuration: every page exists in French (no prefix) and English (``/en/``)."""

from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from algoric.core import views
from algoric.operations.views import healthz
from api.urls import token_page_patterns
from resources.accounting.api import accounting_api_view

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Algoric"
admin.site.site_title = "Algoric"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/accounting/", accounting_api_view, name="accounting_api"),
    # The REST API: one URL per endpoint in every language (not in i18n_patterns).
    path("api/v1/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("account/notifications/", include("algoric.notifications.urls")),
    path("staff/audit/", include("algoric.audit.urls")),
    path("", include(token_page_patterns)),
    path("", include("members.urls")),
    path("", include("resources.urls")),
    path("", include("projects.urls")),
    path("", include("training.urls")),
    path("", include("billing.urls")),
    path("", include("algoric.pages.urls")),
    prefix_default_language=False,
)

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
handler429 = views.too_many_requests
