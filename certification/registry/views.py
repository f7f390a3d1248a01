"""The public registry of certified talent (人才库), and the holder's page to join or leave it.
Thin: who may join is in services.py, who appears is in selectors.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certification.errors import CertificationError
from certification.registry.forms import RegistryProfileForm, RegistrySearchForm
from certification.registry.selectors import (
    holds_certificate_in_force,
    registry_entries,
    registry_listing_of,
    registry_search,
)
from certification.registry.services import registry_join, registry_leave, registry_update
from portal.accounts.ratelimit import allow

PAGE_SIZE = 20


def _filters(request, form) -> dict:
    """The filters that parse; each one that does not is named in a message and left out."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(
                    request,
                    _("%(filter)s: %(error)s This filter was left out.")
                    % {"filter": label, "error": error},
                )
    return {
        key: value
        for key, value in form.cleaned_data.items()
        if value not in (None, "") and key not in form.errors
    }


def _page(request, rows):
    paginator = Paginator(rows, PAGE_SIZE)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except (PageNotAnInteger, EmptyPage):
        messages.info(
            request,
            _("There is no page “%(page)s”; here is the first page.") % {"page": str(number)[:20]},
        )
        return paginator.page(1)


@require_GET
@never_cache  # someone who leaves must vanish at once, from caches too
def registry(request):
    """Anyone can search the people who chose to be listed and hold a certificate in force."""
    if not allow(request, scope="registry", limit=settings.PORTAL_VERIFY_RATE_PER_MINUTE):
        response = render(
            request,
            "portal/error.html",
            {
                "title": _("Too many requests"),
                "message": _("Too many requests. Please wait a minute and try again."),
                "status": 429,
            },
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    form = RegistrySearchForm(request.GET)
    filters = _filters(request, form)
    page = _page(request, registry_search(**filters))
    entries = registry_entries(page.object_list)
    return render(
        request,
        "certification/registry.html",
        {"form": form, "page": page, "entries": entries, "filtered": bool(filters)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def registry_listing(request):
    """The holder joins, edits or leaves their public listing."""
    user = request.user
    listing = registry_listing_of(user_id=user.pk)
    eligible = holds_certificate_in_force(user_id=user.pk)
    initial = None if listing else {"organisation": user.organisation}
    form = RegistryProfileForm(request.POST or None, instance=listing, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            registry_leave(user=user)
            messages.success(request, _("You have left the registry. You no longer appear in it."))
            return redirect("registry_listing")
        if action in ("join", "save") and form.is_valid():
            profile = {
                "organisation": form.cleaned_data["organisation"],
                "specialties": form.cleaned_data["specialties"],
                "public_contact": form.cleaned_data["public_contact"],
                "show_filing": form.cleaned_data["show_filing"],
            }
            try:
                if action == "join":
                    registry_join(user=user, **profile)
                    messages.success(request, _("You are now listed in the public registry."))
                else:
                    registry_update(user=user, **profile)
                    messages.success(request, _("Your listing has been saved."))
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                return redirect("registry_listing")
        elif action not in ("join", "save"):
            messages.error(request, _("Choose to join, save or leave."))
    return render(
        request,
        "certification/registry_listing.html",
        {"form": form, "listing": listing, "eligible": eligible},
    )
