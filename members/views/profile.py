"""Views of the members app: the member's own profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _

from algoric.core.feedback import add_service_errors
from algoric.core.registries import profile_sections
from algoric.notifications.forms import NotificationPreferenceForm
from algoric.notifications.models import NotificationPreference
from algoric.notifications.services import notification_preferences_set

from ..forms.accounts import ProfileForm
from ..services import user_update_profile

#: The name of the submit button of the notifications form (the page has two forms).
NOTIFICATIONS_SUBMIT = "save_notifications"


@login_required
def profile(request):
    """Show and edit the signed-in member's profile (name, language, cluster login), in a
    second form how they receive each category of messages, and the blocks other apps
    register (``algoric.core.registries.register_profile_section``: the API tokens).

    A POST with the ``save_notifications`` button saves the notification choices; any
    other POST the profile. After a change of language the page reloads in the chosen
    language.
    """
    posted = request.POST if request.method == "POST" else None
    notifications_posted = posted is not None and NOTIFICATIONS_SUBMIT in posted
    form = ProfileForm(None if notifications_posted else posted, instance=request.user)
    preferences = NotificationPreferenceForm(posted if notifications_posted else None,
                                             user=request.user, prefix="notifications")
    if notifications_posted and preferences.is_valid():
        try:
            notification_preferences_set(user=request.user, choices=preferences.cleaned_data,
                                         actor=request.user)
        except ValidationError as exc:
            add_service_errors(preferences, exc)
        else:
            messages.success(request, _("Your choices of notifications have been saved."))
            return redirect(reverse("members:profile") + "#notifications")
    elif form.is_bound and form.is_valid():
        user = user_update_profile(user=request.user, data=form.cleaned_data)
        with translation.override(user.language):
            messages.success(request, _("Your profile has been saved."))
        return redirect(translate_url(reverse("members:profile"), user.language))
    return render(request, "members/user_profile.html",
                  {"form": form, "notifications_form": preferences,
                   "notifications_submit": NOTIFICATIONS_SUBMIT,
                   "delivery_choices": NotificationPreference.Delivery.choices,
                   "sections": profile_sections(request)},
                  status=400 if posted is not None else 200)
