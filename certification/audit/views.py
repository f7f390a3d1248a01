"""The audit chain's signed checkpoints, published for anyone to copy."""

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from certification.audit.anchors import published_checkpoints
from certification.audit.models import AuditCheckpoint
from certification.credentials.did import platform_did
from certification.links import absolute_url


def _json(document) -> JsonResponse:
    response = JsonResponse(document, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def checkpoints(request):
    """Every checkpoint, oldest first, each as signed (``eddsa-jcs-2022``, the platform key)."""
    return _json(
        {
            "issuer": platform_did(),
            "didDocument": absolute_url(reverse("platform_did")),
            "checkpoints": published_checkpoints(),
        }
    )


@require_GET
@cache_control(public=True, max_age=3600)
def checkpoint(request, sequence):
    found = AuditCheckpoint.objects.filter(sequence=sequence).only("document").first()
    if found is None:
        return JsonResponse({"error": "not_found"}, status=404)
    return _json(found.document)
