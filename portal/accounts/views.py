from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import identity as identity_api
from . import phone as phone_api
from . import ratelimit
from .forms import IdentityForm, PhoneCodeForm, PhoneForm, ProfileForm

# Wrong passwords on the real-name page, per person, before it waits.
IDENTITY_PASSWORD_TRIES = (5, 300)


@login_required
def profile(request):
    """A person's own details: the name printed on certificates, contacts and photo."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile has been saved."))
            return redirect("account_profile")
        user.refresh_from_db()
    else:
        form = ProfileForm(instance=user)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "identity": identity_api.identity_summary(user),
            "phone_confirmed": user.phone_is_confirmed,
        },
    )


def _next_or(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@sensitive_post_parameters("number", "password")
@never_cache
@login_required
def identity(request):
    """Record or change one's real-name details (实名信息); the number is shown masked only."""
    user = request.user
    summary = identity_api.identity_summary(user)
    has_document = bool(summary and summary.has_document)
    if request.method == "POST":
        form = IdentityForm(request.POST, request.FILES, user=user, has_document=has_document)
        if not ratelimit.allow(
            request,
            scope=f"identity-change:{user.pk}",
            limit=IDENTITY_PASSWORD_TRIES[0],
            period=IDENTITY_PASSWORD_TRIES[1],
            per_client=False,
        ):
            form.is_valid()
            form.errors.clear()
            form.add_error(None, _("Too many tries. Please wait a few minutes."))
        elif form.is_valid():
            try:
                identity_api.identity_record(
                    user,
                    kind=form.cleaned_data["document_kind"],
                    number=form.cleaned_data["number"],
                    document=form.cleaned_data.get("document_image") or None,
                )
            except ValidationError as error:
                form.add_error("document_image", error)
            else:
                messages.success(request, _("Your real-name details have been saved."))
                return _next_or(request, "account_identity")
    else:
        form = IdentityForm(
            user=user,
            has_document=has_document,
            initial={"document_kind": summary.kind if summary else "resident_id"},
        )
    return render(
        request,
        "accounts/identity.html",
        {"form": form, "identity": summary, "next": request.GET.get("next", "")},
    )


@sensitive_post_parameters("phone")
@login_required
def phone(request):
    """Ask for a code to confirm a mainland mobile number."""
    user = request.user
    if request.method == "POST":
        form = PhoneForm(request.POST)
        if form.is_valid():
            try:
                phone_api.phone_code_send(
                    user=user, phone=form.cleaned_data["phone"], request=request
                )
            except ValidationError as error:
                form.add_error("phone", error)
            else:
                messages.success(request, _("A 6-digit code has been sent by SMS."))
                return redirect("account_phone_confirm")
    else:
        form = PhoneForm(initial={"phone": user.phone})
    return render(
        request,
        "accounts/phone.html",
        {"form": form, "phone_confirmed": user.phone_is_confirmed},
    )


@sensitive_post_parameters("code")
@login_required
def phone_confirm(request):
    """Type the code the SMS brought; the phone on the account is then confirmed."""
    user = request.user
    pending = phone_api.phone_code_pending(user)
    if request.method == "POST":
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                phone_api.phone_code_confirm(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Your phone number is confirmed."))
                return redirect("account_profile")
        pending = phone_api.phone_code_pending(user)
    else:
        form = PhoneCodeForm()
    return render(
        request,
        "accounts/phone_confirm.html",
        {"form": form, "pending_masked": phone_api.phone_masked(pending.phone) if pending else ""},
    )
