"""The site shell's own views: search and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms.api import ModuleCategory
from portal.accounts.ratelimit import allow

SEARCH_PAGE_SIZE = 10
SEARCH_GROUP_SIZE = 5


@never_cache  # the registry's people vanish at once when they leave it, here too
def search(request):
    """Search the live pages and the public registry: every kind's first hits, grouped, or with
    ``kind`` one kind page by page. Chinese is cut into words by the search backend."""
    from portal import search as site_search

    # A NUL would reach PostgreSQL, which refuses it outright.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in site_search.KIND_CODES else ""
    groups, results, registry = [], [], None
    if query and kind != "registry":
        if kind:
            results = Paginator(
                site_search.pages_of_kind(query=query, kind=kind), SEARCH_PAGE_SIZE
            ).get_page(request.GET.get("page"))
            hits = site_search.hits_for(results, query=query, request=request)
            groups = [
                site_search.Group(kind, site_search.kind_label(kind), results.paginator.count, hits)
            ]
        else:
            groups = site_search.search_groups(
                query=query, per_group=SEARCH_GROUP_SIZE, request=request
            )
            results = [hit.page for group in groups for hit in group.hits]
    if query and kind in ("", "registry"):
        # The registry's own limit, so the site search is no way round it.
        if allow(request, scope="registry", limit=settings.PORTAL_VERIFY_RATE_PER_MINUTE):
            from certification import api as certification_api

            count, entries = certification_api.registry_find(
                query=query, limit=SEARCH_PAGE_SIZE if kind else SEARCH_GROUP_SIZE
            )
            entries = site_search.registry_hits(entries, query=query)
            registry = {"count": count, "entries": entries, "refused": False}
        else:
            registry = {"count": 0, "entries": [], "refused": True}
    return TemplateResponse(
        request,
        "portal/search.html",
        {
            "query": query,
            "kind": kind,
            "kinds": site_search.KIND_CODES,
            "groups": groups,
            "results": results,
            "registry": registry,
            "found": sum(group.count for group in groups) + (registry or {}).get("count", 0),
        },
    )


@login_required
def my_learning(request):
    """The trainee's home: courses and progress, hours per module, sessions, exam records."""
    from courses import api as courses_api

    overview = courses_api.learner_overview(user_id=request.user.pk)
    labels = dict(ModuleCategory.choices)
    hours = [(labels[code], value) for code, value in overview.hours_by_module.items()]
    return TemplateResponse(
        request,
        "portal/my_learning.html",
        {
            "overview": overview,
            "hours": hours,
            "continue_items": courses_api.continue_learning(user_id=request.user.pk),
        },
    )


def _error(request, status, title, message, template="portal/error.html"):
    return render(
        request, template, {"title": title, "message": message, "status": status}, status=status
    )


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("You do not have permission to see this page."))


def page_not_found(request, exception=None):
    if request.path_info.startswith("/api/"):
        # API clients get the API's own error shape (certification/openapi.json), not a page.
        return JsonResponse({"error": "not_found"}, status=404)
    return _error(
        request,
        404,
        _("Page not found"),
        _("The page you asked for does not exist. It may have moved, or the link may be wrong."),
    )


def too_many_requests(request, exception=None, *, retry_after: int = 60):
    """Too many requests from one client: allauth's rate limits and the portal's own."""
    response = _error(
        request,
        429,
        _("Too many requests"),
        _("Too many requests. Please wait a minute and try again."),
    )
    response["Retry-After"] = str(retry_after)
    return response


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


@login_required
def transcript(request):
    """The signed-in person's own transcript (学习成绩单) as a PDF download."""
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.cache import add_never_cache_headers

    from portal.transcript import SHANGHAI, transcript_pdf

    now = timezone.now()
    response = HttpResponse(
        transcript_pdf(user=request.user, now=now), content_type="application/pdf"
    )
    filename = f"transcript-{timezone.localtime(now, SHANGHAI):%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


def privacy(request):
    """The privacy notice (个人信息保护说明), in the active language."""
    from portal.privacy import NOTICE_VERSION

    return TemplateResponse(
        request,
        "portal/privacy.html",
        {
            "version": NOTICE_VERSION,
            "operator": settings.PORTAL_OPERATOR_NAME,
            "contact": settings.PORTAL_PRIVACY_CONTACT,
        },
    )


@login_required
def my_data(request):
    """Everything the portal holds about the signed-in person, as a ZIP; no id in the URL."""
    from django.http import FileResponse
    from django.utils import timezone
    from django.utils.cache import add_never_cache_headers

    from portal.my_data import export_archive

    if request.method == "POST" or request.GET.get("download"):
        archive = export_archive(request.user)
        response = FileResponse(
            archive,
            as_attachment=True,
            filename=f"my-data-{timezone.localdate():%Y-%m-%d}.zip",
            content_type="application/zip",
        )
        add_never_cache_headers(response)
        return response
    return TemplateResponse(request, "portal/me/my_data.html", {})


@login_required
def close_account(request):
    """Closing one's own account, after the password is entered again."""
    from django import forms
    from django.contrib.auth import logout
    from django.shortcuts import redirect

    from portal.my_data import close_account as close
    from portal.my_data import staff_roles_of

    class CloseForm(forms.Form):
        password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
        confirm = forms.BooleanField(
            label=_("I understand that closing my account cannot be undone.")
        )

        def clean_password(self):
            password = self.cleaned_data["password"]
            if not request.user.check_password(password):
                raise forms.ValidationError(_("The password is not correct."))
            return password

    roles = staff_roles_of(request.user)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and not roles and form.is_valid():
        close(request.user)
        logout(request)
        return redirect("account_closed")
    status = 403 if roles and request.method == "POST" else 200
    return TemplateResponse(
        request, "portal/me/close_account.html", {"form": form, "roles": roles}, status=status
    )


def account_closed(request):
    return TemplateResponse(request, "portal/me/account_closed.html", {})
