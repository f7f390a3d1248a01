"""Where the Wagtail admin sends a request it refuses.

Wagtail answers an anonymous visitor *and* a signed-in person without admin access with a
redirect to its login URL. Pointed straight at the sign-in page, the second case loops: the
sign-in page sends a signed-in person on to ``next``, which is the admin again. This view tells
the two apart: a visitor is asked to sign in, a signed-in person is told plainly that the admin
is not theirs (403), with no redirect.
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def admin_entry(request):
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url or "/admin/", login_url="account_login")
    return render(
        request,
        "portal/error.html",
        {
            "title": _("Not allowed"),
            "message": _(
                "The administration pages are for training bases' editors and the portal's "
                "administrators. Your account has no access to them."
            ),
            "status": 403,
        },
        status=403,
    )
