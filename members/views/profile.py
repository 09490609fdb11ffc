"""Views of the members app: the member's own profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _

from algoric.core.registries import profile_sections

from ..forms.accounts import ProfileForm
from ..services import user_update_profile


@login_required
def profile(request):
    """Show and edit the signed-in member's profile (name, language, cluster login), with
    the blocks other apps register (``algoric.core.registries.register_profile_section``:
    the API tokens).

    After a change of language the page reloads in the chosen language.
    """
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_update_profile(user=request.user, data=form.cleaned_data)
        with translation.override(user.language):
            messages.success(request, _("Your profile has been saved."))
        return redirect(translate_url(reverse("members:profile"), user.language))
    return render(request, "members/user_profile.html",
                  {"form": form, "sections": profile_sections(request)},
                  status=400 if form.is_bound else 200)
