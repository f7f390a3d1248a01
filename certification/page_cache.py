"""Public pages rendered once and served from the cache to anonymous visitors.

The verification page is what a QR code opens, so it is the page that gets crowds. Its facts
come from one indexed query; what costs is rendering the page around them (the site's
navigation, the translations) and, under a crowd, reaching the database at all. So a page is
kept under a ``slot`` (the verification page of one number, in one language, on one day) with
the *public generation* it was rendered at: a counter that every change showing on a public
page moves on. Everything that changes a certificate goes through the audit log, which calls
``public_changed`` after commit; expiry is a matter of the date, which is in the key. One cache
round trip reads the entry and the current generation; an entry of an older generation is
rendered again, so a revocation shows at once, and a current one is answered without the
database.

What differs per visitor is put in afresh: the CSRF token of the page's forms (the language
switcher) is rendered as a placeholder and replaced by this visitor's token, which also sets
their CSRF cookie as rendering would. A page with this request's CSP nonce in it is not cached.
Signed-in visitors, visitors with pending messages and requests with a query string get the
page rendered as usual.
"""

import contextlib
import hashlib
import logging

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

TIMEOUT = 300
logger = logging.getLogger(__name__)
GENERATION_KEY = "page:public-generation"
CSRF_PLACEHOLDER = "csrf-placeholder-0d9b7c1e5a"


def _anonymous_and_plain(request) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get(CookieStorage.cookie_name)
    )


def public_changed() -> None:
    """Move the public generation on: every page kept under a slot is rendered afresh.

    Runs after commit: a cache that cannot be reached is logged, not raised (the change has
    been made; pages kept before it expire within ``TIMEOUT``)."""
    try:
        cache.add(GENERATION_KEY, 0, None)
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # evicted between the two calls: a fresh counter differs as well
            cache.set(GENERATION_KEY, 1, None)
    except Exception:
        logger.warning("Public generation not moved on", exc_info=True)


def _slot_key(request, slot) -> str:
    fingerprint = repr((request.path, get_language(), slot, timezone.localdate().isoformat()))
    return "page:slot:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def cached_slot(request, slot) -> HttpResponse | None:
    """The page kept under ``slot`` for this visitor, if it is still current; no database."""
    if not _anonymous_and_plain(request):
        return None
    key = _slot_key(request, slot)
    try:
        found = cache.get_many([key, GENERATION_KEY])
    except Exception:  # no cache: the page is rendered from the database, and not kept
        logger.warning("Page cache unreachable", exc_info=True)
        return None
    generation = found.get(GENERATION_KEY, 0)
    request._public_generation = generation  # what render_slot stores the page under
    entry = found.get(key)
    if entry is None or entry[0] != generation:
        return None
    return HttpResponse(entry[1].replace(CSRF_PLACEHOLDER, get_token(request)))


def render_slot(request, template_name: str, context: dict, *, slot) -> HttpResponse:
    """``render(...)``, kept under ``slot`` at the generation ``cached_slot`` read before the
    page's facts were, so a change in between leaves an entry that is already out of date."""
    generation = getattr(request, "_public_generation", None)
    if generation is None or not _anonymous_and_plain(request):
        return render(request, template_name, context)
    html = render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)
    nonce = getattr(request, "csp_nonce", "")
    if not (nonce and nonce in html):
        with contextlib.suppress(Exception):  # an unreachable cache keeps nothing
            cache.set(_slot_key(request, slot), (generation, html), TIMEOUT)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
