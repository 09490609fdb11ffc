"""The public pages of projects whose summary is public (active or closed projects that
chose so), for every visitor."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from algoric.core.page_cache import public_page

from ..outputs.selectors import public_project_outputs
from ..selectors.projects import public_projects


@public_page("projects")
@require_GET
def public_project_list(request):
    """Projects whose summary is public (active or closed), for every visitor."""
    return render(request, "projects/public_list.html", {"projects": public_projects()})


@public_page("projects")
@require_GET
def public_project_detail(request, pk: int):
    """The public page of a project whose summary is public, with its research outputs;
    404 for any other."""
    project = get_object_or_404(public_projects(), pk=pk)
    return render(request, "projects/public_detail.html", {
        "project": project, "outputs": list(public_project_outputs(project=project))})
