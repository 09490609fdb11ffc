"""Django admin of the members app.

The admin is a read-mostly view of the data. It never changes a status field:
memberships, agreements and terms move through their services, on the staff
portal pages or through the admin actions below, which call the same services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Agreement,
    AgreementEvent,
    FeeSchedule,
    Invitation,
    Membership,
    MembershipEvent,
    Organisation,
    OrganisationMember,
    TermsTemplate,
    User,
)
from .services import agreement_approve, agreements_expire
from .services.fees import FEE_YEAR_MAX, FEE_YEAR_MIN, fee_schedule_set
from .validators import validate_cluster_login


class UserChangeForm(DjangoUserAdmin.form):
    """The admin's user form, refusing cluster logins Slurm would not take."""

    def clean_cluster_login(self) -> str:
        value = (self.cleaned_data.get("cluster_login") or "").strip()
        validate_cluster_login(value)
        return value


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Admin for users keyed by email (no username)."""

    form = UserChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "cluster_login")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                                       "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


def _portal_link(url_name: str, pk: int, text) -> str:
    """A link to a staff portal page, or an empty string if the page does not exist."""
    try:
        url = reverse(url_name, args=[pk])
    except NoReverseMatch:
        return ""
    return format_html('<a href="{}">{}</a>', url, text)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrganisationMemberInline(admin.TabularInline):
    """The people of an organisation; roles change through invitations and the portal."""

    model = OrganisationMember
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations, searchable by name and SIRET, with their people."""

    list_display = ["name", "kind", "siret", "city", "created_at", "portal"]
    list_filter = ["kind"]
    search_fields = ["name", "siret"]
    readonly_fields = ["created_at", "created_by", "updated_at", "portal"]
    inlines = [OrganisationMemberInline]

    @admin.display(description=_("portal"))
    def portal(self, obj: Organisation) -> str:
        return _portal_link("members:staff_organisation_review", obj.pk, _("staff page"))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships. The status, fee and payment are recorded on the staff portal page
    (payments need a date and a reference); here only the note may change."""

    list_display = ["organisation", "year", "fee", "status", "paid_on", "portal"]
    list_filter = ["status", "year", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__siret", "payment_reference"]
    list_select_related = ["organisation"]
    fields = ["organisation", "year", "fee", "status", "paid_on", "payment_reference", "note",
              "created_at", "updated_at", "portal"]
    readonly_fields = ["organisation", "year", "fee", "status", "paid_on", "payment_reference",
                       "created_at", "updated_at", "portal"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("portal"))
    def portal(self, obj: Membership) -> str:
        return _portal_link("members:staff_organisation_review", obj.organisation_id,
                            _("record a payment"))


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    """The history of memberships (read-only)."""

    list_display = ["membership", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["membership__organisation", "actor"]


class AgreementEventInline(admin.TabularInline):
    model = AgreementEvent
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Agreements, read-only. Decisions are taken on the staff review page, or with the
    actions below, which call the workflow services."""

    list_display = ["number", "organisation", "kind", "status", "starts_on", "ends_on", "portal"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "organisation__name", "organisation__siret"]
    list_select_related = ["organisation"]
    # The files live in private storage (no URL): they are shown by name and served by
    # the portal's permission-checked views.
    fields = ["number", "organisation", "kind", "terms", "status", "signatory_name",
              "signatory_title", "starts_on", "ends_on", "renewed_from", "pdf_file",
              "signed_file", "created_by", "created_at", "updated_at", "portal"]
    readonly_fields = ["pdf_file", "signed_file", "created_at", "updated_at", "portal"]
    inlines = [AgreementEventInline]
    actions = ["approve_selected", "expire_overdue"]

    @admin.display(description=_("portal"))
    def portal(self, obj: Agreement) -> str:
        return _portal_link("members:staff_agreement_review", obj.pk, _("review"))

    @admin.display(description=_("agreement to sign (PDF)"))
    def pdf_file(self, obj: Agreement) -> str:
        return obj.pdf.name if obj.pdf else "—"

    @admin.display(description=_("signed copy (PDF)"))
    def signed_file(self, obj: Agreement) -> str:
        if not obj.signed_pdf:
            return "—"
        return f"{obj.signed_filename} ({obj.signed_uploaded_at:%Y-%m-%d %H:%M})"

    @admin.action(description=_("Approve selected (submitted)"))
    def approve_selected(self, request, queryset):
        """Approve each selected agreement through ``agreement_approve``; report each refusal."""
        approved = 0
        for agreement in queryset.select_related("organisation"):
            try:
                agreement_approve(agreement=agreement, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reasons = " ".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(request, f"{agreement.number}: {reasons}",
                                  level=messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(request, gettext("%(count)s agreements approved.")
                              % {"count": approved}, level=messages.SUCCESS)

    @admin.action(description=_("Expire overdue (all active agreements past their end)"))
    def expire_overdue(self, request, queryset):
        """Run ``agreements_expire`` (on every overdue agreement, whatever the selection)."""
        try:
            count = agreements_expire()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return
        self.message_user(request, gettext("%(count)s agreements expired.") % {"count": count},
                          level=messages.SUCCESS)


@admin.register(AgreementEvent)
class AgreementEventAdmin(ReadOnlyAdmin):
    """The history of agreements (read-only)."""

    list_display = ["agreement", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["agreement__number"]
    list_select_related = ["agreement__organisation", "actor"]


class FeeScheduleAdminForm(forms.ModelForm):
    """A fee row; the year is bounded like on the staff page."""

    year = forms.IntegerField(label=_("year"), min_value=FEE_YEAR_MIN, max_value=FEE_YEAR_MAX)

    class Meta:
        model = FeeSchedule
        fields = ["kind", "year", "amount"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    """The fee schedule; saved through ``fee_schedule_set`` (the staff page edits it too)."""

    form = FeeScheduleAdminForm
    list_display = ["year", "kind", "amount", "updated_at", "updated_by"]
    list_filter = ["year", "kind"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["kind", "year", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        fee_schedule_set(year=obj.year, amounts={obj.kind: obj.amount}, actor=request.user)
        obj.pk = FeeSchedule.objects.get(kind=obj.kind, year=obj.year).pk

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TermsTemplate)
class TermsTemplateAdmin(ReadOnlyAdmin):
    """Agreement terms (read-only): written, versioned and published on the staff page."""

    list_display = ["kind", "version", "title_fr", "is_published", "updated_at", "portal"]
    list_filter = ["kind", "is_published"]
    readonly_fields = ["portal"]

    @admin.display(description=_("portal"))
    def portal(self, obj: TermsTemplate) -> str:
        return _portal_link("members:staff_terms_edit", obj.pk, _("edit on the staff page"))


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations (read-only): representatives send and revoke them on the portal."""

    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at",
                    "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
