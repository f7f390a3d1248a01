"""The lesson page's heartbeat, answered ahead of the rest of the middleware.

A heartbeat that carries a valid page token (``X-Beat-Token``: signed, naming the person and
the lesson) needs nothing the rest of the stack does: no session or user (the token says who),
no CSRF check (the token is a credential another site's page can neither read nor send: it
is not a cookie, and a custom header on a cross-site request needs CORS, which the portal does
not grant), no messages, no Content-Security-Policy nonce or frame rules (the answer is JSON
for the page's script), no redirects. So ``LessonBeatMiddleware``, placed right after
Django's ``SecurityMiddleware`` (whose HTTPS redirect and headers still apply), answers a POST
to the beat address with a valid token itself, in the visitor's language as
``portal.middleware.ChineseFirstLocaleMiddleware`` chooses it. Anything else (no token, a bad
or expired one, another method or address) goes down the stack as before, to the view with
its session fallback.
"""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class LessonBeatMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}
        self._path = None

    def path_pattern(self):
        if self._path is None:
            sample = reverse("courses:lesson_beat", args=(987654321,))
            head, tail = sample.split("987654321")
            self._path = re.compile(re.escape(head) + r"([0-9]{1,18})" + re.escape(tail))
        return self._path

    def __call__(self, request):
        token = request.META.get("HTTP_X_BEAT_TOKEN")
        if token and request.method == "POST":
            match = self.path_pattern().fullmatch(request.path_info)
            if match:
                from . import tracking

                lesson_id = int(match.group(1))
                user_id = tracking.beat_token_user(token, lesson_id)
                if user_id is not None:
                    return self.answer(request, user_id, lesson_id, token)
        return self.get_response(request)

    def answer(self, request, user_id: int, lesson_id: int, token: str):
        from .views_learning import beat_answer

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        with translation.override(language):
            response = beat_answer(
                user_id=user_id, lesson_id=lesson_id, body=request.body, token=token
            )
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Language", language)
        return response
