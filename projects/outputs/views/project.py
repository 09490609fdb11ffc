"""The outputs of a project: the section of the project page, adding one by hand,
uploading a BibTeX file, importing from HAL, removing one.

Each view reads the project through ``project_for_user`` (404 for a project the user is
not in) and calls one service; a service's ``ValidationError`` becomes form errors or a
message, never a 500. A BibTeX upload answers with its report: every entry and its
outcome. An import from HAL is queued for a worker (HAL may be slow): the section shows
the latest imports with their status and counts.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from algoric.core.feedback import add_service_errors, error_texts
from algoric.core.staff import is_verified_staff

from ...models import OutputImport, Project, ProjectMember, ResearchOutput
from ...selectors.projects import project_for_user, project_role
from ...tasks import output_import_enqueue_on_commit
from ..forms import OUTPUT_FORM_FIELDS, BibtexUploadForm, HalImportForm, ResearchOutputForm
from ..selectors import project_output_imports, project_outputs
from ..services.bibtex import bibtex_decode, outputs_import_bibtex
from ..services.imports import output_import_request
from ..services.manual import ADDED, KNOWN, research_output_record, research_output_unlink

OUTCOME_BADGES = {"added": "text-bg-success", "linked": "text-bg-info",
                  "known": "text-bg-secondary", "refused": "text-bg-danger"}
IMPORT_BADGES = {OutputImport.Status.QUEUED: "text-bg-secondary",
                 OutputImport.Status.RUNNING: "text-bg-info",
                 OutputImport.Status.DONE: "text-bg-success",
                 OutputImport.Status.FAILED: "text-bg-danger"}


def _show(request, errors) -> None:
    """Queue the texts of a ``ValidationError`` or of a bound form's errors."""
    for text in error_texts(errors):
        messages.error(request, text)


def _outputs_url(project: Project) -> str:
    return reverse("projects:project_detail", args=[project.pk]) + "#outputs"


def outputs_section(*, project: Project, user, role: str | None = None) -> dict:
    """The context of the outputs section of the project page
    (``projects/outputs/_project_outputs.html``): the outputs, whether the user may add
    (any member, staff) and remove (PI, managers, staff) them, the empty import forms
    (the form to add one by hand has its own page, :func:`output_add`) and, for those
    who may add, the latest imports from HAL with a badge for their status.

    ``role``: the user's role in the project when the caller already read it (``None``:
    read here, one query)."""
    role = role or project_role(project=project, user=user)
    staff = is_verified_staff(user)
    can_add = role is not None or staff
    return {
        "outputs": list(project_outputs(project=project)),
        "can_add_outputs": can_add,
        "can_remove_outputs": staff or role in {ProjectMember.Role.PI,
                                                ProjectMember.Role.MANAGER},
        "bibtex_form": BibtexUploadForm(auto_id="id_bibtex_%s") if can_add else None,
        "hal_form": HalImportForm(auto_id="id_hal_%s",
                                  initial={"collection": project.hal_collection})
        if can_add else None,
        "output_imports": [{"item": item, "badge": IMPORT_BADGES[item.status]}
                           for item in project_output_imports(project=project)]
        if can_add else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def output_add(request, pk: int):
    """Add one output by hand (any person of the project, or staff); a known DOI or HAL
    id links the recorded output instead of adding a second one."""
    project = project_for_user(user=request.user, pk=pk)
    form = ResearchOutputForm(request.POST or None, auto_id="id_output_%s")
    if request.method == "POST" and form.is_valid():
        try:
            result = research_output_record(
                project=project, data={name: form.cleaned_data.get(name)
                                       for name in OUTPUT_FORM_FIELDS},
                source=ResearchOutput.Source.FORM, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.outcome == ADDED:
                messages.success(request, _("“%(title)s” has been added to the project's "
                                            "outputs.") % {"title": result.output.title})
            elif result.outcome == KNOWN:
                messages.info(request, _("“%(title)s” is already among the project's "
                                         "outputs.") % {"title": result.output.title})
            else:
                messages.success(request, _("“%(title)s” was already recorded (for another "
                                            "project); it is now linked to this one too.")
                                 % {"title": result.output.title})
            return redirect(_outputs_url(project))
    return render(request, "projects/outputs/output_form.html",
                  {"project": project, "form": form})


def _import_page(request, project: Project, *, report, source: str):
    return render(request, "projects/outputs/import_report.html", {
        "project": project, "report": report, "counts": report.counts, "source": source,
        "rows": [{"entry": entry, "badge": OUTCOME_BADGES[entry.outcome]}
                 for entry in report.entries]})


@login_required
@require_POST
def output_bibtex_upload(request, pk: int):
    """Import a BibTeX file; the answer lists every entry: added, already known, or
    refused with the reason. A file too large, empty or not UTF-8 is refused whole."""
    project = project_for_user(user=request.user, pk=pk)
    form = BibtexUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _show(request, form)
        return redirect(_outputs_url(project))
    try:
        text = bibtex_decode(form.cleaned_data["file"].read())
        report = outputs_import_bibtex(project=project, text=text, actor=request.user)
    except ValidationError as exc:
        _show(request, exc)
        return redirect(_outputs_url(project))
    return _import_page(request, project, report=report, source="bibtex")


@login_required
@require_POST
def output_hal_import(request, pk: int):
    """Queue an import from HAL of one document (its HAL id) or of the project's
    collection or query, and go back to the outputs section, where its status shows; a
    second import while one is on its way is refused with a message."""
    project = project_for_user(user=request.user, pk=pk)
    form = HalImportForm(request.POST)
    if not form.is_valid():
        _show(request, form)
        return redirect(_outputs_url(project))
    try:
        output_import = output_import_request(
            project=project, actor=request.user, hal_id=form.cleaned_data["hal_id"].strip(),
            collection=form.cleaned_data["collection"].strip())
    except ValidationError as exc:
        _show(request, exc)
        return redirect(_outputs_url(project))
    output_import_enqueue_on_commit(output_import)
    messages.success(request, _("The import from HAL has started. Its outcome will show "
                                "below and you will get a message when it is done."))
    return redirect(_outputs_url(project))


@login_required
@require_POST
def output_remove(request, pk: int, output_pk: int):
    """Remove an output from the project (PI, managers, staff)."""
    project = project_for_user(user=request.user, pk=pk)
    output = get_object_or_404(project.outputs, pk=output_pk)
    research_output_unlink(project=project, output=output, actor=request.user)
    messages.success(request, _("“%(title)s” is no longer among the project's outputs.")
                     % {"title": output.title})
    return redirect(_outputs_url(project))
