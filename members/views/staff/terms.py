"""Staff pages on the terms of the agreements: the versions by kind, writing, editing and
publishing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import error_status
from algoric.core.staff import staff_required
from algoric.pages.markdown import render_markdown

from ...forms.staff import TermsForm
from ...models import OrganisationKind, TermsTemplate
from ...selectors import terms_in_use
from ...services.terms import terms_create_version, terms_publish, terms_update


@staff_required
@require_GET
def terms_list(request):
    """Every terms version by kind, with how many agreements use it."""
    versions = (TermsTemplate.objects.annotate(agreement_count=Count("agreements"))
                .select_related("updated_by").order_by("kind", "-version"))
    by_kind = {kind: [] for kind in OrganisationKind.values}
    for terms in versions:
        by_kind.setdefault(terms.kind, []).append(terms)
    groups = [{"kind": kind, "label": label, "versions": by_kind[kind]}
              for kind, label in OrganisationKind.choices]
    return render(request, "members/staff/terms_list.html", {"groups": groups})


def _previews(form: TermsForm, terms: TermsTemplate | None) -> dict:
    """The Markdown of the form (as posted, or as stored) rendered and sanitised."""
    if form.is_bound:
        body_fr, body_en = form.data.get("body_fr", ""), form.data.get("body_en", "")
    elif terms is not None:
        body_fr, body_en = terms.body_fr, terms.body_en
    else:
        body_fr, body_en = form.initial.get("body_fr", ""), form.initial.get("body_en", "")
    return {"preview_fr": render_markdown(body_fr), "preview_en": render_markdown(body_en)}


@staff_required
@require_http_methods(["GET", "POST"])
def terms_new(request):
    """Write the next version of the terms of ``?kind=``, starting from the latest one.

    POST with ``preview`` shows the rendered text without saving.
    """
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        raise Http404
    latest = TermsTemplate.objects.filter(kind=kind).order_by("-version").first()
    status = 200
    if request.method == "POST":
        form = TermsForm(request.POST)
        if "preview" not in request.POST and form.is_valid():
            try:
                terms = terms_create_version(kind=kind, data=form.cleaned_data,
                                             actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = error_status(exc)
            else:
                messages.success(request, _("Version %(version)s created. It is not published "
                                            "yet.") % {"version": terms.version})
                return redirect("members:staff_terms_edit", pk=terms.pk)
        elif "preview" not in request.POST:
            status = 400
    else:
        initial = ({name: getattr(latest, name)
                    for name in ("title_fr", "title_en", "body_fr", "body_en")}
                   if latest else {})
        form = TermsForm(initial=initial)
    return render(request, "members/staff/terms_form.html", {
        "form": form, "terms": None, "kind": kind, "kind_label": OrganisationKind(kind).label,
        "next_version": (latest.version + 1) if latest else 1, "latest": latest,
        "editable": True, **_previews(form, None),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def terms_edit(request, pk: int):
    """Edit a terms version while no agreement uses it; else show it read-only.

    POST with ``preview`` shows the rendered text without saving.
    """
    terms = get_object_or_404(TermsTemplate, pk=pk)
    agreement_count = terms.agreements.count()
    editable = agreement_count == 0
    status = 200
    if request.method == "POST":
        form = TermsForm(request.POST, instance=terms)
        if "preview" not in request.POST and form.is_valid():
            try:
                terms_update(terms=terms, data=form.cleaned_data, actor=request.user,
                             seen_updated_at=form.cleaned_data.get("seen_updated_at"))
            except ValidationError as exc:
                form.add_error(None, exc)
                status = error_status(exc)
                editable = not terms_in_use(terms=terms)
            else:
                messages.success(request, _("Version %(version)s saved.")
                                 % {"version": terms.version})
                return redirect("members:staff_terms_edit", pk=terms.pk)
        elif "preview" not in request.POST:
            status = 400
    else:
        form = TermsForm(instance=terms)
    return render(request, "members/staff/terms_form.html", {
        "form": form, "terms": terms, "kind": terms.kind, "kind_label": terms.get_kind_display(),
        "editable": editable, "agreement_count": agreement_count,
        **_previews(form, terms),
    }, status=status)


@staff_required
@require_POST
def terms_publish_view(request, pk: int):
    """Publish a terms version: new agreements of its kind use it from now on."""
    terms = get_object_or_404(TermsTemplate, pk=pk)
    try:
        terms_publish(terms=terms, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(version)s is published: new agreements use it.")
                         % {"version": terms.version})
    return redirect("members:staff_terms_edit", pk=terms.pk)
