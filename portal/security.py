"""Response headers and request checks the portal adds: the Content-Security-Policy header,
with a fresh nonce for the site's own inline scripts, and the refusal of NUL characters in paths.

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
    """Answer 400 to an address whose path holds a NUL character.

    No page has a use for one, and PostgreSQL refuses it in any text it is given, so a view
    that looks up what the path names (a certifying body's code, a certificate number) would
    fail with a server error. Query strings are left to the views: their forms refuse a NUL
    with a message (Django's CharField), and the search box drops it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)  # the API answers its own "not found"
        if "\x00" in request.path_info:
            from portal.views import bad_request

            return bad_request(request)
        return self.get_response(request)
