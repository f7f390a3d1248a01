"""A person's notifications: the list, marking read, and the choice of e-mails."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.converters import record_id

from .forms import NotificationSettingsForm
from .models import Kind
from .selectors import notification_settings_of, notifications_of, unread_count
from .services import notification_settings_save, notifications_mark_read
from .wording import wording


@login_required
def notification_list(request):
    page = Paginator(notifications_of(user=request.user), 30).get_page(request.GET.get("page"))
    items = [(item, wording(item.kind, item.params)) for item in page]
    return render(
        request,
        "portal/notifications/list.html",
        {"page": page, "items": items, "unread": unread_count(user=request.user)},
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one's own notification read and go to what it is about."""
    notification = get_object_or_404(notifications_of(user=request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    path = notification.path
    if path and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return redirect(path)
    return redirect("notifications")


@login_required
@require_POST
def notifications_read(request):
    """Mark read the notifications named (``id``), or all unread ones (``all``)."""
    if request.POST.get("all"):
        notifications_mark_read(user=request.user)
    else:
        ids = [record_id(value) for value in request.POST.getlist("id")]
        notifications_mark_read(user=request.user, ids=[pk for pk in ids if pk is not None])
    messages.success(request, _("Marked as read."))
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    current = notification_settings_of(user=request.user)
    initial = {
        "emails": [kind for kind in Kind.values if kind not in (current.emails_off or [])],
        "language": current.language or get_language(),
        "texts": list(current.texts_on or []),
    }
    phone_confirmed = request.user.phone_is_confirmed
    form = NotificationSettingsForm(
        request.POST or None, initial=initial, phone_confirmed=phone_confirmed
    )
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["emails"])
        notification_settings_save(
            user=request.user,
            language=form.cleaned_data["language"],
            emails_off=[kind for kind in Kind.values if kind not in wanted],
            texts_on=form.cleaned_data.get("texts") if phone_confirmed else [],
        )
        messages.success(request, _("Your choice of e-mails is saved."))
        return redirect("notification_settings")
    return render(
        request,
        "portal/notifications/settings.html",
        {"form": form, "phone_confirmed": phone_confirmed},
    )
