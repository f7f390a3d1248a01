"""The site shell's own views: search and the error pages."""

from django.core.paginator import Paginator
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Page

SEARCH_PAGE_SIZE = 10


def search(request):
    """Search every live page of the site."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query, operator="and")
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "portal/search.html", {"query": query, "results": page})


def _error(request, status, title, message, template="portal/error.html"):
    return render(
        request, template, {"title": title, "message": message, "status": status}, status=status
    )


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("You do not have permission to see this page."))


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Page not found"),
        _("The page you asked for does not exist. It may have moved, or the link may be wrong."),
    )


def server_error(request):
    # Rendered without a request context: the failure may lie in a context processor.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("Your form has expired"),
        _(
            "For your security the form could not be accepted. Go back, reload the page and "
            "submit it again. Nothing has been changed."
        ),
    )
