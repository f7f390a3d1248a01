"""The signed-in person's learning record as a CLR 2.0 credential download."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from certification.verification.views import ld_json

from .services import BEIJING, TranscriptUnavailable, transcript_credential

logger = logging.getLogger(__name__)


@login_required
def transcript_clr(request):
    now = timezone.now()
    try:
        credential = transcript_credential(user=request.user, now=now)
    except TranscriptUnavailable as error:
        logger.warning("CLR transcript unavailable: %s", error)
        messages.error(
            request,
            _(
                "The signed learning record cannot be made right now: the portal's signing key "
                "is not available. Please try again later; the PDF transcript still works."
            ),
        )
        return redirect("my_learning")
    filename = f"learning-record-{timezone.localtime(now, BEIJING):%Y-%m-%d}.clr.json"
    response = ld_json(credential, filename=filename)
    add_never_cache_headers(response)
    return response
