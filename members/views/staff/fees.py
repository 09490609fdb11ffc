"""Staff page of the membership fees by kind of organisation and year."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from algoric.core.staff import staff_required

from ...forms.staff import FeeScheduleForm
from ...models import FeeSchedule, OrganisationKind
from ...services.fees import FEE_YEAR_MAX, FEE_YEAR_MIN, fee_schedule_set


def _year_param(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if FEE_YEAR_MIN <= year <= FEE_YEAR_MAX else default


@staff_required
@require_http_methods(["GET", "POST"])
def fee_schedule(request):
    """The membership fees by kind (rows) for last year, this year and next year, and a
    form to set one year's fees (``?year=`` chooses the year the form starts from)."""
    this_year = timezone.localdate().year
    years = [this_year - 1, this_year, this_year + 1]
    if request.method == "POST":
        form = FeeScheduleForm(request.POST)
        status = 200
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                count = fee_schedule_set(year=year, amounts=form.cleaned_data["amounts"],
                                         actor=request.user)
            except ValidationError as exc:
                for key, texts in exc.message_dict.items():
                    field = (key if key == "year" else f"amount_{key}"
                             if key in OrganisationKind.values else None)
                    for text in texts:
                        form.add_error(field, text)
            else:
                messages.success(request, _("%(count)s fees saved for %(year)s.")
                                 % {"count": count, "year": year})
                return redirect(f"{reverse('members:staff_fee_schedule')}?year={year}")
        status = 400
    else:
        year = _year_param(request.GET.get("year"), this_year)
        current = dict(FeeSchedule.objects.filter(year=year).values_list("kind", "amount"))
        initial = {"year": year}
        initial.update({f"amount_{kind}": amount for kind, amount in current.items()})
        form = FeeScheduleForm(initial=initial)
        status = 200
    fees = {(fee.kind, fee.year): fee
            for fee in FeeSchedule.objects.filter(year__in=years).select_related("updated_by")}
    table = [{"kind": label, "cells": [fees.get((kind, year)) for year in years]}
             for kind, label in OrganisationKind.choices]
    return render(request, "members/staff/fee_schedule.html", {
        "form": form, "years": years, "table": table,
        "edit_year": form["year"].value(),
    }, status=status)

