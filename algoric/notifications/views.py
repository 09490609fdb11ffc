"""The member's notification inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .services import notification_mark_read


@login_required
@require_GET
def inbox(request):
    """List the signed-in member's notifications, 25 a page, newest first."""
    page = Paginator(Notification.objects.inbox_of(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def mark_all_read(request):
    """Mark every unread notification of the signed-in member read."""
    count = notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")
