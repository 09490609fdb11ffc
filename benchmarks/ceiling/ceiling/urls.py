"""The ceiling's two pages: one for anyone, one for a signed-in user."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

LINKS = [f"Item {n}" for n in range(20)]


@require_GET
def anonymous(request):
    """A template page for anyone."""
    return render(request, "page.html", {"title": "Ceiling", "links": LINKS})


@never_cache
@login_required
@require_GET
def signed_in(request):
    """The same template for a signed-in user (database session), never cached."""
    return render(request, "page.html", {"title": "Ceiling, signed in", "links": LINKS})


urlpatterns = [
    path("anonymous/", anonymous),
    path("signed-in/", signed_in),
]
