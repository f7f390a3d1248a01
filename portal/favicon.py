"""``/favicon.ico``: browsers ask for it on every site, whatever the page's <link rel="icon">."""

from pathlib import Path

from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent / "static" / "portal" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return FileResponse(ICON.open("rb"), content_type="image/vnd.microsoft.icon")
