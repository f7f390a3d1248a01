"""The certifier's workspace under /certify/: review, issue, revoke, issue a class, file.

Every view needs the Certifier or Administrator role (the MFA middleware has already asked for
the second factor) and sees only the bodies the person works for; another body's record is a
404, so nobody learns that it exists. The views stay thin: decisions are made by
``services``, and a refused request shows the service's message and changes nothing.
"""

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.roles import Role, user_has_role
from portal.accounts.spreadsheets import xlsx_bytes

from certification import duties, selectors, selectors_reports, services
from certification.errors import CertificationError
from certification.forms_certify import (
    ALL,
    NO_CLASS,
    ActivityReviewForm,
    BulkIssueForm,
    CertificateFilterForm,
    FilingFilterForm,
    FilingForm,
    QueueFilterForm,
    ReasonForm,
    RevokeForm,
)
from certification.models import (
    Application,
    AuditEntry,
    BulkIssue,
    BulkIssueItem,
    Certificate,
    CertifyingBody,
    ContinuingEducation,
)

PAGE_SIZE = 50
FILING_PAGE_SIZE = 100
PROGRESS_FAILURES = 50
PAGE_FAILURES = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

AUDIT_ACTIONS = {
    "application.created": gettext_lazy("Application started"),
    "application.submitted": gettext_lazy("Submitted"),
    "application.withdrawn": gettext_lazy("Withdrawn by the applicant"),
    "application.review_started": gettext_lazy("Review started"),
    "application.returned": gettext_lazy("Returned for changes"),
    "application.rejected": gettext_lazy("Rejected"),
    "application.first_approved": gettext_lazy("First approval (a second is needed)"),
    "application.approved": gettext_lazy("Approved"),
    "certificate.issued": gettext_lazy("Certificate issued"),
    "certificate.revoked": gettext_lazy("Revoked"),
    "certificate.filed": gettext_lazy("Filed"),
    "certificate.superseded": gettext_lazy("Superseded"),
    "certificate.expired": gettext_lazy("Expired"),
}
AUDIT_DATA = {
    "reason": gettext_lazy("Reason"),
    "certificate": gettext_lazy("Certificate"),
    "number": gettext_lazy("Certificate number"),
    "reference": gettext_lazy("Filing reference"),
    "by": gettext_lazy("Superseded by"),
    "from": gettext_lazy("Previous status"),
    "first_approval": gettext_lazy("First approval by"),
}


# -- who may enter, and what they see --------------------------------------------------------


def certifier_required(view):
    """Certifiers and administrators only; the view gets the bodies they act for."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user_has_role(user, Role.CERTIFIER) or user_has_role(user, Role.ADMINISTRATOR)):
            raise PermissionDenied
        return view(request, *args, bodies=selectors.certifier_body_ids(user), **kwargs)

    return wrapped


def _in_bodies(queryset, bodies, field="body_id"):
    """``queryset`` narrowed to the person's bodies; ``bodies`` None means every body."""
    return queryset if bodies is None else queryset.filter(**{f"{field}__in": bodies})


def _certificates(bodies):
    """Certificates a body issued, or numbered (the national body numbers filed levels)."""
    if bodies is None:
        return Certificate.objects.all()
    return Certificate.objects.filter(Q(body_id__in=bodies) | Q(numbering_body_id__in=bodies))


def _render(request, template, context, section):
    context = {
        **context,
        "section": section,
        "filing_officer": selectors.is_filing_officer(request.user),
    }
    return render(request, f"certification/certify/{template}", context)


def _filters(request, form) -> dict:
    """The filters that are valid; the others are reported and ignored, never a 500."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _history(object_type: str, object_id) -> list[dict]:
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    rows = []
    for entry in entries.select_related("actor").order_by("pk"):
        if entry.actor is not None:
            who = entry.actor.real_name or entry.actor.email
        else:
            who = _("System") if entry.actor_label in ("", "system") else entry.actor_label
        details = [
            (AUDIT_DATA.get(key, key), _audit_value(key, value))
            for key, value in (entry.data or {}).items()
            if key != "pdf_sha256"
        ]
        rows.append(
            {
                "at": entry.at,
                "who": who,
                "action": AUDIT_ACTIONS.get(entry.action, entry.action),
                "code": entry.action,
                "details": details,
            }
        )
    return rows


def _audit_value(key: str, value):
    if key == "from" and value in Application.Status.values:
        return Application.Status(value).label
    return value


def _status_label(certificate: Certificate) -> tuple[str, str]:
    status = certificate.effective_status()
    return status, str(Certificate.Status(status).label)


def _retry_issue(request, certificate: Certificate) -> None:
    """Queue the PDF and credential again for a certificate stuck in ``pending``."""
    if certificate.status != Certificate.Status.PENDING:
        messages.info(request, _("This certificate has already been issued."))
        return
    services.certificate_complete_enqueue(certificate.pk)
    certificate.refresh_from_db(fields=["status", "issue_error"])
    if certificate.status == Certificate.Status.VALID:
        messages.success(
            request, _("Certificate %(number)s is issued.") % {"number": certificate.number}
        )
    else:
        messages.info(
            request,
            _("Making the certificate was tried again; this page shows the latest result."),
        )


# -- the queue and one application -----------------------------------------------------------


@certifier_required
@require_GET
def queue(request, *, bodies):
    form = QueueFilterForm(request.GET or None, bodies=bodies)
    filters = _filters(request, form)
    applications = _in_bodies(Application.objects.all(), bodies)
    if "level" in filters:
        applications = applications.filter(level=filters["level"])
    if "body" in filters:
        applications = applications.filter(body=filters["body"])
    if "course" in filters:
        applications = applications.filter(course_id=int(filters["course"]))
    if "q" in filters:
        text = filters["q"].strip()
        applications = applications.filter(
            Q(printed_name__icontains=text)
            | Q(applicant__email__icontains=text)
            | Q(applicant__real_name__icontains=text)
        )
    counts = {
        row["status"]: row["n"]
        for row in applications.order_by().values("status").annotate(n=Count("pk"))
    }
    status = filters.get("status", "")
    if status == ALL:
        ordering = [F("submitted_at").desc(nulls_last=True), "-pk"]
    elif status:
        applications = applications.filter(status=status)
        ordering = [F("submitted_at").desc(nulls_last=True), "-pk"]
    else:
        applications = applications.filter(status__in=Application.AWAITING_DECISION)
        ordering = ["submitted_at", "pk"]  # first come, first served
    applications = applications.select_related("applicant", "level", "body", "course").order_by(
        *ordering
    )
    status_counts = [
        {"code": code, "label": label, "count": counts.get(code, 0)}
        for code, label in Application.Status.choices
    ]
    page = _page(request, applications)
    for item in page:  # one's own application waits for someone else: no action from here
        item.own_waiting = (
            duties.is_own(request.user, item.applicant_id)
            and item.status in Application.AWAITING_DECISION
        )
    return _render(
        request,
        "queue.html",
        {
            "form": form,
            "applications": page,
            "status": status,
            "status_counts": status_counts,
            "awaiting_count": sum(counts.get(code, 0) for code in Application.AWAITING_DECISION),
        },
        "queue",
    )


@certifier_required
@require_http_methods(["GET", "POST"])
def application(request, pk, *, bodies):
    application = get_object_or_404(
        _in_bodies(
            Application.objects.select_related(
                "applicant", "level", "level__track", "body", "course", "renews", "reviewer"
            ),
            bodies,
        ),
        pk=pk,
    )
    here = reverse("certify_application", args=[application.pk])
    forms = {"return": ReasonForm(prefix="return"), "reject": ReasonForm(prefix="reject")}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in forms:
            forms[action] = ReasonForm(request.POST, prefix=action)
            if not forms[action].is_valid():
                _form_errors(request, forms[action])
                return _application_page(request, application, forms)
        try:
            _application_act(request, application, action, forms)
        except CertificationError as exc:
            messages.error(request, str(exc))
        return redirect(here)
    return _application_page(request, application, forms)


def _application_act(request, application, action, forms) -> None:
    """Carry out one of the page's buttons; a refused one raises ``CertificationError``."""
    user = request.user
    if action == "start":
        services.review_start(application_id=application.pk, actor=user)
        messages.success(request, _("You are reviewing this application."))
    elif action == "approve" and _first_of_two(application):
        services.application_approve_first(application_id=application.pk, actor=user)
        messages.success(
            request,
            _(
                "First approval recorded. A different certifier of %(body)s must confirm it "
                "before the certificate is issued."
            )
            % {"body": application.body.name},
        )
    elif action == "approve":
        certificate = services.application_approve(application_id=application.pk, actor=user)
        messages.success(
            request,
            _("Approved. Certificate %(number)s is being issued.") % {"number": certificate.number},
        )
    elif action in ("return", "reject"):
        final = action == "reject"
        services.application_decline(
            application_id=application.pk,
            actor=user,
            reason=forms[action].cleaned_data["reason"],
            final=final,
        )
        messages.success(
            request,
            _("The application is rejected; the applicant has been told why.")
            if final
            else _("The application is returned to the applicant for changes."),
        )
    elif action == "retry":
        certificate = Certificate.objects.filter(application=application).first()
        if certificate is None:
            raise CertificationError(_("This application has no certificate yet."))
        _retry_issue(request, certificate)
    else:
        raise CertificationError(_("Choose what to do with this application."))


def _first_of_two(application) -> bool:
    """Whether "approve" on this application is the first of two approvals (the second, a
    confirmation, issues the certificate)."""
    return (
        duties.needs_two(application)
        and application.status != Application.Status.AWAITING_CONFIRMATION
    )


def _application_page(request, application, forms):
    certificate = Certificate.objects.filter(application=application).first()
    awaiting = application.status in Application.AWAITING_DECISION
    own = duties.is_own(request.user, application.applicant_id)
    others = []
    if awaiting and own:
        others = duties.other_deciders(
            body_id=application.body_id, excluding=[application.applicant_id]
        )
    live = selectors.checklist(
        user_id=application.applicant_id, level=application.level, application=application
    )
    context = {
        "application": application,
        "applicant": application.applicant,
        "live_checklist": live,
        "snapshot": application.checklist or {},
        "evidence": application.evidence.all(),
        "history": _history("application", application.pk),
        "certificate": certificate,
        "awaiting_decision": awaiting,
        "own_application": own,
        "nobody_else": awaiting and own and not others,
        "needs_two": duties.needs_two(application),
        "first_of_two": _first_of_two(application),
        "approval_refusal": duties.approval_refusal(application, request.user) if awaiting else "",
        "return_form": forms["return"],
        "reject_form": forms["reject"],
    }
    if certificate is not None:
        context["certificate_status"], context["certificate_status_label"] = _status_label(
            certificate
        )
    return _render(request, "application.html", context, "queue")


# -- certificates ----------------------------------------------------------------------------


@certifier_required
@require_GET
def certificates(request, *, bodies):
    form = CertificateFilterForm(request.GET or None)
    filters = _filters(request, form)
    found = _certificates(bodies)
    if "q" in filters:
        text = filters["q"].strip()
        found = found.filter(Q(number__icontains=text) | Q(printed_name__icontains=text))
    if "level" in filters:
        found = found.filter(level=filters["level"])
    status = filters.get("status")
    if status:
        today = timezone.localdate()
        lapsed = Q(status=Certificate.Status.VALID, valid_until__lt=today)
        if status == Certificate.Status.VALID:
            found = found.filter(status=status).exclude(lapsed)
        elif status == Certificate.Status.EXPIRED:
            found = found.filter(Q(status=status) | lapsed)
        else:
            found = found.filter(status=status)
    page = _page(request, found.order_by("-issued_on", "-pk"))
    for item in page:
        item.shown_status, item.shown_status_label = _status_label(item)
    return _render(
        request, "certificates.html", {"form": form, "certificates": page}, "certificates"
    )


@certifier_required
@require_http_methods(["GET", "POST"])
def certificate(request, number, *, bodies):
    certificate = get_object_or_404(
        _certificates(bodies).select_related(
            "numbering_body", "application", "holder", "superseded_by", "revoked_by", "filed_by"
        ),
        number=number,
    )
    here = reverse("certify_certificate", args=[certificate.number])
    revoke_form = RevokeForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "revoke":
            revoke_form = RevokeForm(request.POST)
            if not revoke_form.is_valid():
                _form_errors(request, revoke_form)
                return _certificate_page(request, certificate, revoke_form)
            try:
                services.certificate_revoke(
                    certificate_id=certificate.pk,
                    actor=request.user,
                    reason=revoke_form.cleaned_data["reason"],
                )
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s is revoked.") % {"number": certificate.number},
                )
        elif action == "retry":
            _retry_issue(request, certificate)
        else:
            messages.error(request, _("Choose what to do with this certificate."))
        return redirect(here)
    return _certificate_page(request, certificate, revoke_form)


def _certificate_page(request, certificate, revoke_form):
    shown_status, shown_label = _status_label(certificate)
    own = duties.is_own(request.user, certificate.holder_id)
    revocable = (
        certificate.status not in (Certificate.Status.REVOKED, Certificate.Status.PENDING)
        and selectors.may_certify(request.user, certificate.body_id)
        and not own
    )
    return _render(
        request,
        "certificate.html",
        {
            "certificate": certificate,
            "status": shown_status,
            "status_label": shown_label,
            "revocable": revocable,
            "own_certificate": own,
            "revoke_form": revoke_form,
            "verify_url": services.verify_url(certificate.number),
            "history": _history("certificate", certificate.pk),
        },
        "certificates",
    )


# -- issuing a whole class -------------------------------------------------------------------


def _candidate_counts():
    return {
        "awaiting": Count("pk", filter=Q(status__in=Application.AWAITING_DECISION)),
        "approved": Count("pk", filter=Q(status=Application.Status.APPROVED)),
    }


@certifier_required
@require_http_methods(["GET", "POST"])
def bulk_new(request, *, bodies):
    params = request.POST if request.method == "POST" else request.GET
    if "body" not in params:
        return _bulk_classes(request, bodies)
    body = get_object_or_404(
        _in_bodies(CertifyingBody.objects.all(), bodies, "pk"), pk=_int(params["body"])
    )
    course_param = params.get("course", NO_CLASS)
    course_id = None if course_param == NO_CLASS else _int(course_param)
    candidates = services.bulk_candidates(body=body, course_id=course_id)
    counts = candidates.order_by().aggregate(**_candidate_counts())
    # What a run fails rather than approves: the starter's own applications, and levels that
    # need two approvers (approved one by one, then confirmed by a second certifier).
    held_back = (
        candidates.filter(status__in=Application.AWAITING_DECISION)
        .filter(Q(applicant=request.user) | Q(level__approvers_required__gte=2))
        .count()
    )
    course = candidates.order_by().values("course__title", "course__class_name").first()
    course_label = ""
    if course and course["course__title"]:
        course_label = " · ".join(
            part for part in (course["course__title"], course["course__class_name"]) if part
        )
    if request.method == "POST":
        form = BulkIssueForm(request.POST)
        if form.is_valid():
            try:
                run = services.bulk_issue_start(
                    body=body,
                    course_id=course_id,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                )
            except services.BulkIssueUnderWay as exc:
                messages.warning(request, str(exc))
                return redirect("certify_bulk_run", pk=exc.run.pk)
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Issuing %(count)d certificate has started.",
                        "Issuing %(count)d certificates has started.",
                        run.total,
                    )
                    % {"count": run.total},
                )
                return redirect("certify_bulk_run", pk=run.pk)
        else:
            _form_errors(request, form)
    else:
        default_title = course_label or _("Applications without a class")
        form = BulkIssueForm(
            initial={"title": f"{default_title} · {timezone.localdate().isoformat()}"}
        )
    return _render(
        request,
        "bulk_confirm.html",
        {
            "form": form,
            "body": body,
            "course_param": course_param,
            "course_label": course_label,
            "awaiting": counts["awaiting"],
            "approved": counts["approved"],
            "total": counts["awaiting"] + counts["approved"] - held_back,
            "held_back": held_back,
        },
        "bulk",
    )


def _bulk_classes(request, bodies):
    classes = (
        _in_bodies(Application.objects.filter(status__in=Application.BULK_ISSUABLE), bodies)
        .values("body_id", "body__name", "course_id", "course__title", "course__class_name")
        .annotate(**_candidate_counts())
        .order_by("body__name", "course__title", "course_id")
    )
    runs = _in_bodies(BulkIssue.objects.select_related("body", "started_by"), bodies).order_by(
        "-created_at"
    )[:10]
    return _render(request, "bulk_new.html", {"classes": list(classes), "runs": runs}, "bulk")


def _bulk_progress(run: BulkIssue, limit: int) -> dict:
    counts = {
        row["status"]: row["n"]
        for row in BulkIssueItem.objects.filter(run=run)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    }
    failures = (
        BulkIssueItem.objects.filter(run=run, status=BulkIssueItem.Status.FAILED)
        .select_related("application")
        .order_by("pk")[:limit]
    )
    return {
        "total": run.total,
        "done": counts.get(BulkIssueItem.Status.DONE, 0),
        "failed": counts.get(BulkIssueItem.Status.FAILED, 0),
        "queued": counts.get(BulkIssueItem.Status.QUEUED, 0),
        "status": run.status,
        "failures": [
            {
                "application_id": item.application_id,
                "name": item.application.printed_name,
                "error": item.error,
            }
            for item in failures
        ],
    }


def _bulk_run_for(bodies, pk) -> BulkIssue:
    return get_object_or_404(
        _in_bodies(BulkIssue.objects.select_related("body", "course", "started_by"), bodies),
        pk=pk,
    )


@certifier_required
@require_http_methods(["GET", "POST"])
def bulk_run(request, pk, *, bodies):
    run = _bulk_run_for(bodies, pk)
    if request.method == "POST":
        if request.POST.get("action") == "retry":
            try:
                queued = services.bulk_issue_dispatch(run_id=run.pk, only_failed=True)
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                if queued:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d application is being tried again.",
                            "%(count)d applications are being tried again.",
                            queued,
                        )
                        % {"count": queued},
                    )
                else:
                    messages.info(request, _("Nothing failed; there is nothing to try again."))
        elif request.POST.get("action") == "resume":
            idle = services.bulk_issue_idle_for(run)
            if idle is not None and idle >= services.BULK_STALLED_AFTER:
                services.bulk_issue_resume(run_id=run.pk)
                messages.success(request, _("The waiting applications have been queued again."))
            else:
                messages.info(request, _("This run is moving; there is nothing to resume."))
        else:
            messages.error(request, _("Choose what to do with this run."))
        return redirect("certify_bulk_run", pk=run.pk)
    progress = _bulk_progress(run, PAGE_FAILURES)
    idle = services.bulk_issue_idle_for(run)
    return _render(
        request,
        "bulk_run.html",
        {
            "run": run,
            "progress": progress,
            "more_failures": max(0, progress["failed"] - len(progress["failures"])),
            "running": run.status == BulkIssue.Status.RUNNING,
            "stalled_minutes": (
                int(idle.total_seconds() // 60)
                if idle is not None and idle >= services.BULK_STALLED_AFTER
                else None
            ),
        },
        "bulk",
    )


@certifier_required
@require_GET
def bulk_progress(request, pk, *, bodies):
    run = _bulk_run_for(bodies, pk)
    response = JsonResponse(_bulk_progress(run, PROGRESS_FAILURES))
    response["Cache-Control"] = "no-store"
    return response


# -- filing with the national body -----------------------------------------------------------


def _filing_officer_only(request) -> None:
    if not selectors.is_filing_officer(request.user):
        raise PermissionDenied


def _filing_scope(bodies):
    return _certificates(bodies).exclude(filing_status=Certificate.Filing.NOT_REQUIRED)


def _filing_form(request, bodies):
    issuing = CertifyingBody.objects.filter(
        pk__in=_filing_scope(bodies).order_by().values("body_id")
    )
    return FilingFilterForm(request.GET or None, bodies=issuing)


def _filing_filtered(scope, filters: dict):
    filing = filters.get("filing", Certificate.Filing.PENDING)
    if filing != ALL:
        scope = scope.filter(filing_status=filing)
    if "level" in filters:
        scope = scope.filter(level=filters["level"])
    if "body" in filters:
        scope = scope.filter(body=filters["body"])
    if "issued_from" in filters:
        scope = scope.filter(issued_on__gte=filters["issued_from"])
    if "issued_to" in filters:
        scope = scope.filter(issued_on__lte=filters["issued_to"])
    return scope


@certifier_required
@require_http_methods(["GET", "POST"])
def filing(request, *, bodies):
    _filing_officer_only(request)
    scope = _filing_scope(bodies)
    form = _filing_form(request, bodies)
    filters = _filters(request, form)
    filing_status = filters.get("filing", Certificate.Filing.PENDING)
    file_form = FilingForm(certificates=scope)
    if request.method == "POST":
        file_form = FilingForm(request.POST, certificates=scope)
        if file_form.is_valid():
            selected = [certificate.pk for certificate in file_form.cleaned_data["certificate"]]
            try:
                filed = services.certificates_file(
                    certificate_ids=selected,
                    actor=request.user,
                    reference=file_form.cleaned_data["reference"],
                )
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d certificate marked as filed.",
                        "%(count)d certificates marked as filed.",
                        filed,
                    )
                    % {"count": filed},
                )
                if filed < len(selected):
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d of the selected certificates was left out: it is "
                            "already filed or still being issued.",
                            "%(count)d of the selected certificates were left out: they are "
                            "already filed or still being issued.",
                            len(selected) - filed,
                        )
                        % {"count": len(selected) - filed},
                    )
            return redirect(request.get_full_path())
        _form_errors(request, file_form)
    listed = _filing_filtered(scope, filters).order_by("issued_on", "pk")
    recent = scope.filter(filing_status=Certificate.Filing.FILED).order_by("-filed_at", "-pk")
    return _render(
        request,
        "filing.html",
        {
            "form": form,
            "file_form": file_form,
            "filing_status": filing_status,
            "certificates": _page(request, listed, FILING_PAGE_SIZE),
            "recent": recent.select_related("filed_by")[:10],
            "pending_total": scope.filter(filing_status=Certificate.Filing.PENDING).count(),
            "export_query": request.GET.urlencode(),
        },
        "filing",
    )


FILING_HEADERS = [
    # The national filing sheet is in Chinese whatever language the page is shown in.
    ("证书编号", 22),
    ("姓名", 12),
    ("等级", 18),
    ("发证机构", 30),
    ("编号机构", 30),
    ("发证日期", 12),
    ("有效期至", 12),
    ("备案状态", 10),
    ("备案时间", 18),
    ("备案文号", 22),
    ("持证人所在省份", 14),
]


@certifier_required
@require_GET
def filing_export(request, *, bodies):
    _filing_officer_only(request)
    form = _filing_form(request, bodies)
    if form.is_bound and not form.is_valid():
        # The filing page shows what is wrong with the filters, with the same query.
        return redirect(f"{reverse('certify_filing')}?{request.GET.urlencode()}")
    filters = _filters(request, form)
    rows = (
        _filing_filtered(_filing_scope(bodies), filters)
        .select_related("numbering_body", "holder")
        .order_by("issued_on", "pk")
    )
    content = _filing_workbook(rows)
    stamp = [filters.get("filing", Certificate.Filing.PENDING)]
    if "issued_from" in filters or "issued_to" in filters:
        start, end = filters.get("issued_from"), filters.get("issued_to")
        stamp.append(f"{start or 'start'}_{end or 'end'}")
    else:
        stamp.append(timezone.localdate().isoformat())
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"certificate-filing-{'-'.join(map(str, stamp))}.xlsx",
        content_type=XLSX,
    )


def _filing_workbook(rows) -> bytes:
    with translation.override("zh-hans"):
        return xlsx_bytes(
            sheet_title="证书备案",
            headers=FILING_HEADERS,
            rows=selectors_reports.filing_rows(rows, chunk_size=2000),
        )


# -- continuing education --------------------------------------------------------------------


@certifier_required
@require_http_methods(["GET", "POST"])
def continuing_education(request, *, bodies):
    activities = _in_bodies(ContinuingEducation.objects.select_related("holder", "body"), bodies)
    if request.method == "POST":
        form = ActivityReviewForm(request.POST)
        if form.is_valid():
            activity = get_object_or_404(activities, pk=form.cleaned_data["activity"])
            approve = form.cleaned_data["decision"] == ActivityReviewForm.APPROVE
            try:
                services.continuing_education_review(
                    activity_id=activity.pk,
                    actor=request.user,
                    approve=approve,
                    note=form.cleaned_data["note"],
                )
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    (_("Approved: %(title)s") if approve else _("Rejected: %(title)s"))
                    % {"title": activity.title},
                )
        else:
            _form_errors(request, form)
        return redirect(request.get_full_path())
    pending = activities.filter(status=ContinuingEducation.Status.PENDING).order_by(
        "created_at", "pk"
    )
    page = _page(request, pending)
    for activity in page:
        activity.own = duties.is_own(request.user, activity.holder_id)
        activity.evidence_name = (
            activity.evidence.name.rsplit("/", 1)[-1] if activity.evidence else ""
        )
    recent = activities.exclude(status=ContinuingEducation.Status.PENDING).order_by(
        F("reviewed_at").desc(nulls_last=True), "-pk"
    )[:20]
    return _render(
        request,
        "continuing_education.html",
        {"activities": page, "recent": recent},
        "continuing_education",
    )
