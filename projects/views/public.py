"""The public pages of projects whose summary is public (active or closed projects that
chose so), for every visitor."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from algoric.core.page_cache import public_page

from ..outputs.selectors import public_project_outputs
from ..selectors.projects import public_projects

#: Projects per page of the public list (two columns of cards).
PUBLIC_PROJECTS_PER_PAGE = 24


@public_page("projects")
@require_GET
def public_project_list(request):
    """Projects whose summary is public (active or closed), newest first, for every visitor,
    :data:`PUBLIC_PROJECTS_PER_PAGE` a page (``?page=N``; a page out of range shows the
    last one)."""
    page = Paginator(public_projects(), PUBLIC_PROJECTS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "projects/public_list.html",
                  {"projects": page.object_list, "page_obj": page})


@public_page("projects")
@require_GET
def public_project_detail(request, pk: int):
    """The public page of a project whose summary is public, with its research outputs;
    404 for any other."""
    project = get_object_or_404(public_projects(), pk=pk)
    return render(request, "projects/public_detail.html", {
        "project": project, "outputs": list(public_project_outputs(project=project))})
