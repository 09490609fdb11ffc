"""Public pages and their staff editing."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from algoric.core.page_cache import KINDS, public_page
from algoric.core.staff import staff_required

from .forms import PageForm
from .markdown import render_markdown
from .models import Page
from .services import StaleEditError, page_update


# The home page shows the centre's key figures (projects, usage, catalogue) too.
@public_page(*KINDS)
@require_GET
def page_detail(request, slug: str = "home"):
    """Show page ``slug`` in the active language, its Markdown rendered and sanitised."""
    page = Page.objects.filter(slug=slug).first()
    if page is None:
        raise Http404
    template = "pages/home.html" if slug == "home" else "pages/page_detail.html"
    return render(request, template, {"page": page, "body_html": render_markdown(page.body)})


@staff_required
@require_GET
def page_list(request):
    """Staff list of the public pages, with links to edit them."""
    return render(request, "pages/staff/page_list.html", {"pages": Page.objects.order_by("slug")})


@staff_required
def page_edit(request, slug: str):
    """Staff edit of one page, both languages side by side, refusing stale edits."""
    page = get_object_or_404(Page, slug=slug)
    form = PageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        try:
            page_update(
                page=page,
                data=form.cleaned_data,
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except StaleEditError:
            messages.error(
                request,
                _("Someone saved this page while you were editing it. Your changes were not "
                  "saved: reload the page, then make them again."),
            )
            return render(request, "pages/staff/page_form.html", {"form": form, "page": page},
                          status=409)
        messages.success(request, _("The page has been saved."))
        return redirect("pages:staff_list")
    return render(request, "pages/staff/page_form.html", {"form": form, "page": page})
