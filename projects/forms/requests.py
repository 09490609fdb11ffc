"""Forms of the resource request pages: the applicant's table, comments, and staff decisions.

The request table is a grid whose shape comes from the catalogue and the project's
years, so its forms read the posted cells by name (``amount-<resource id>-<year>``,
``granted-<resource id>-<year>``) rather than through one field each: a posted cell
for a year outside the project or for a resource that is not in the catalogue must
reach :func:`projects.services.requests.clean_table` (or the decision service) to be
refused with its reason, not be silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ResourceRequest
from ..selectors.requests import Table
from ..services.requests import clean_table, parse_amount

#: Name of a requested amount: ``amount-<resource id>-<year>``.
AMOUNT_FIELD = re.compile(r"^amount-(?P<resource>[^-]*)-(?P<year>[^-]*)$")
#: Name of a granted amount: ``granted-<resource id>-<year>``.
GRANTED_FIELD = re.compile(r"^granted-(?P<resource>[^-]*)-(?P<year>[^-]*)$")
#: Longest justification of one row (characters), as on the model.
ROW_JUSTIFICATION_MAX = 4000
#: Longest overall justification (characters), as on the model.
JUSTIFICATION_MAX = 8000


def amount_field(resource_id: int, year: int) -> str:
    """Name of the input holding the requested amount of a resource for a year."""
    return f"amount-{resource_id}-{year}"


def granted_field(resource_id: int, year: int) -> str:
    """Name of the input holding the granted amount of a resource for a year."""
    return f"granted-{resource_id}-{year}"


def justification_field(resource_id: int) -> str:
    """Name of the textarea holding the justification of a resource's row."""
    return f"justification-{resource_id}"


def amount_as_input(value: Decimal | None) -> str:
    """An amount as a person would type it back: no trailing zeros, no grouping, the
    active language's decimal separator ("2,5" in French). ``None`` gives ""."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def _cell_key(match: re.Match) -> tuple[int, int] | None:
    try:
        return int(match["resource"]), int(match["year"])
    except ValueError:
        return None


class RequestTableForm(forms.Form):
    """The applicant's table: amounts per resource and year, and the justifications.

    Bound to ``request.POST``, it reads every ``amount-<resource>-<year>`` field
    posted (also for resources or years the page did not show, so that
    :func:`clean_table` refuses them), every ``justification-<resource>`` field and
    the overall ``justification``.

    After :meth:`is_valid`: ``cleaned_data["table"]`` is the checked table,
    ``cleaned_data["row_justifications"]`` maps resource ids to texts. Whether valid
    or not, :attr:`values` holds the typed texts by field name (to show them again),
    :attr:`invalid` the names of the cells in error and :attr:`partial_table` the
    cells that could be read (for totals while the applicant is still typing).
    """

    justification = forms.CharField(
        label=gettext_lazy("Overall justification"), required=False,
        max_length=JUSTIFICATION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=gettext_lazy("What the project will compute, why it needs these amounts, "
                               "and how you estimated them."))

    def __init__(self, *args, project, resources, **kwargs):
        """``project``: the request's project (its years bound the table);
        ``resources``: the active catalogue resources shown as rows."""
        super().__init__(*args, **kwargs)
        self.project = project
        self.resources = list(resources)
        self.values: dict[str, str] = {}
        self.invalid: set[str] = set()
        self.partial_table: Table = {}
        self.row_justifications: dict[int, str] = {}
        self._raw: dict[tuple[int, int], str] = {}
        self._bad_names: list[str] = []
        if self.is_bound:
            self._read_cells()

    def _read_cells(self) -> None:
        shown = {resource.pk for resource in self.resources}
        years = set(self.project.years)
        for name in self.data:
            match = AMOUNT_FIELD.match(name)
            if match:
                value = str(self.data.get(name, ""))[:100]
                self.values[name] = value
                key = _cell_key(match)
                if key is None:
                    self._bad_names.append(name)
                    self.invalid.add(name)
                    continue
                self._raw[key] = value
                if key[0] in shown and key[1] in years:
                    try:
                        self.partial_table[key] = parse_amount(value)
                    except ValidationError:
                        self.invalid.add(name)
                continue
            if name.startswith("justification-"):
                try:
                    resource_id = int(name.removeprefix("justification-"))
                except ValueError:
                    continue
                text = str(self.data.get(name, ""))
                self.values[name] = text
                self.row_justifications[resource_id] = text

    def clean(self):
        cleaned = super().clean()
        errors: list[str] = [_("“%(name)s” is not a cell of the table.") % {"name": name}
                             for name in self._bad_names]
        for resource_id, text in self.row_justifications.items():
            if len(text) > ROW_JUSTIFICATION_MAX:
                errors.append(_("A justification is longer than %(max)s characters.")
                              % {"max": ROW_JUSTIFICATION_MAX})
                self.invalid.add(justification_field(resource_id))
        try:
            cleaned["table"] = clean_table(project=self.project, raw=self._raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
        unknown = set(self.row_justifications) - {resource.pk for resource in self.resources}
        if unknown and not errors:
            errors.append(_("Resource %(id)s is not in the catalogue.")
                          % {"id": min(unknown)})
        if errors:
            raise ValidationError(errors)
        cleaned["row_justifications"] = dict(self.row_justifications)
        return cleaned

    def error_texts(self) -> list[str]:
        """Every error of the bound form as a flat list of texts."""
        texts = [str(error) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != forms.forms.NON_FIELD_ERRORS:
                texts.extend(f"{self.fields[name].label}: {error}" for error in errors)
        return texts


class RequestCreateForm(forms.Form):
    """The kind of a new request (the service refuses an emergency from others than
    public bodies)."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of request"),
                             choices=ResourceRequest.Kind.choices)


class CommentForm(forms.Form):
    """A comment on a request (applicants or staff)."""

    body = forms.CharField(label=gettext_lazy("Your comment"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    """Staff decision granting a request: the granted table, a note, the version seen; for
    an emergency request, the end of the grant and the access override with its reason.

    Reads every posted ``granted-<resource>-<year>`` field (a cell that was not
    asked reaches the service, which refuses it). ``cleaned_data["granted"]`` is
    the table of granted amounts; cells that were asked but not posted count 0.
    """

    note = forms.CharField(label=gettext_lazy("Decision note"), required=False,
                           max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Sent to the PI and managers with the "
                                                  "decision."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    emergency_ends_on = forms.DateField(
        label=gettext_lazy("Emergency grant ends on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    access_override = forms.BooleanField(
        label=gettext_lazy("Override the access rule for this emergency"), required=False,
        help_text=gettext_lazy("The organisation may not use the centre today. The override "
                               "and its reason are recorded in the audit trail."))
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for the override"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, resource_request: ResourceRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_request = resource_request
        self.values: dict[str, str] = {}
        self.invalid: set[str] = set()
        days = settings.EMERGENCY_GRANT_MAX_DAYS
        if resource_request.kind != ResourceRequest.Kind.EMERGENCY:
            for name in ("emergency_ends_on", "access_override", "override_reason"):
                del self.fields[name]
        else:
            self.fields["emergency_ends_on"].help_text = _(
                "At most %(days)s days from today.") % {"days": days}
            self.initial.setdefault("emergency_ends_on",
                                    timezone.localdate() + dt.timedelta(days=days))
        if self.is_bound:
            for name in self.data:
                if GRANTED_FIELD.match(name):
                    self.values[name] = str(self.data.get(name, ""))[:100]

    def clean(self):
        cleaned = super().clean()
        granted: Table = {}
        errors = []
        for name, value in self.values.items():
            key = _cell_key(GRANTED_FIELD.match(name))
            if key is None:
                errors.append(_("“%(name)s” is not a cell of the table.") % {"name": name})
                self.invalid.add(name)
                continue
            try:
                granted[key] = parse_amount(value)
            except ValidationError as exc:
                errors.append(_("%(year)s: %(error)s") % {"year": key[1],
                                                          "error": " ".join(exc.messages)})
                self.invalid.add(name)
        if cleaned.get("access_override") and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason",
                           _("Give the reason for overriding the access rule."))
        if errors:
            raise ValidationError(errors)
        cleaned["granted"] = granted
        return cleaned


class RejectForm(forms.Form):
    """Staff rejection of a request: the reason (required) and the version seen."""

    note = forms.CharField(label=gettext_lazy("Reason for the rejection"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Sent to the PI and managers."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReturnForm(forms.Form):
    """Staff return of a request to its applicant for changes: what to change (required)
    and the version seen."""

    note = forms.CharField(label=gettext_lazy("What should the applicant change?"),
                           max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Sent to the PI and managers and shown on "
                                                  "the request until they submit it again."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SuspendForm(forms.Form):
    """Staff suspension of an allocation, with the reason told to the PI and managers."""

    reason = forms.CharField(label=gettext_lazy("Reason for the suspension"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
