"""Response headers and request checks the portal adds: the Content-Security-Policy header,
with a fresh nonce for the site's own inline scripts, and the refusal of NUL characters in paths
(and their removal from query strings).

Django 5.2 has no CSP support of its own. The policy text is a setting (``PORTAL_CSP``) in which
``{nonce}`` stands for a value made afresh for every request; templates mark their inline
scripts with ``nonce="{{ request.csp_nonce }}"``. The Wagtail admin runs inline scripts of its
own, so paths under ``/admin/`` get ``PORTAL_CSP_ADMIN``, which does not restrict scripts.
A response that already names a policy (a private file, say) keeps its own.
"""

import secrets

from django.conf import settings

ADMIN_PREFIX = "/admin/"
API_PREFIX = "/api/"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        if request.path_info.startswith(ADMIN_PREFIX):
            policy = settings.PORTAL_CSP_ADMIN
        else:
            policy = settings.PORTAL_CSP.replace("{nonce}", request.csp_nonce)
        if policy:
            response.headers["Content-Security-Policy"] = policy
        return response


class NulBytesRefusedMiddleware:
    """Answer 400 to an address whose path holds a NUL character, and drop NUL characters from
    the query string's names and values before any view reads them.

    No page has a use for one, and PostgreSQL refuses it in any text it is given, so a view
    that looks up what the path names (a certifying body's code, a certificate number) or
    filters by what the query string says (a specialty, a search) would fail with a server
    error. ``request.GET`` (and ``QUERY_STRING``, which links to other pages of a listing are
    built from) is replaced with a cleaned copy only when there is something to drop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _query_without_nul(request)
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)  # the API answers its own "not found"
        if "\x00" in request.path_info:
            from portal.views import bad_request

            return bad_request(request)
        return self.get_response(request)


def _query_without_nul(request) -> None:
    """Drop NULs from the query string, checked on the raw text so that ordinary requests
    are not parsed here (a NUL arrives percent-encoded, or raw from a careless client)."""
    raw = request.META.get("QUERY_STRING", "")
    if "%00" not in raw and "\x00" not in raw:
        return
    from django.http import QueryDict

    raw = raw.replace("%00", "").replace("\x00", "")
    request.META["QUERY_STRING"] = raw
    request.GET = QueryDict(raw, encoding=request.encoding)
