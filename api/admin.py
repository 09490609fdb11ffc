"""The Django admin of personal access tokens: read and revoke, never create (a token
is made by its owner on the profile page, or by ``create_api_token``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import PersonalAccessToken
from .services.tokens import token_revoke


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scopes", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "lookup"]
    readonly_fields = ["user", "name", "scopes", "lookup", "created_at", "expires_at",
                       "last_used_at", "revoked_at"]
    exclude = ["hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        """Revoke each selected token (audit trail, owner told)."""
        for token in queryset:
            token_revoke(token=token, actor=request.user)
