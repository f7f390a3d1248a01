"""Public pages about levels and certifying bodies."""

from django.shortcuts import get_object_or_404, render

from certification.credentials.did import body_identity
from certification.levels.models import CertificationLevel, CertifyingBody


def overview(request):
    levels = CertificationLevel.objects.select_related("track", "prerequisite")
    bodies = CertifyingBody.objects.filter(is_active=True).prefetch_related("levels")
    return render(request, "certification/overview.html", {"levels": levels, "bodies": bodies})


def level_detail(request, code):
    level = get_object_or_404(
        CertificationLevel.objects.select_related("track", "prerequisite"), code=code
    )
    return render(
        request,
        "certification/level.html",
        {"level": level, "bodies": level.bodies.filter(is_active=True)},
    )


def body_detail(request, code):
    body = get_object_or_404(CertifyingBody, code=code)
    identity = body_identity(body)
    return render(request, "certification/body.html", {"body": body, "identity": identity})
