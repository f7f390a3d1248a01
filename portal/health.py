"""``/healthz``: the process is up and answering. Touches no database, session or template.

A load balancer or ``make serve``'s start-up wait polls it; ``bench/load.py`` also uses it as
the bare Django view that the real pages are measured against.
"""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
