"""The site shell's own views: search and the error pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.api import ModuleCategory

SEARCH_PAGE_SIZE = 10


def search(request):
    """Search every live page of the site."""
    # A NUL would reach PostgreSQL, which refuses it outright.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query, operator="and")
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "portal/search.html", {"query": query, "results": page})


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

    return TemplateResponse(request, "portal/privacy.html", {"version": NOTICE_VERSION})


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
