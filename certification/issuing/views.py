"""Certificates: the holder's list and downloads; the certifier's list, one, and bulk issue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from certification.access import is_own, may_certify
from certification.applications.models import Application
from certification.audit.history import history
from certification.errors import CertificationError
from certification.issuing.bulk import (
    BULK_STALLED_AFTER,
    BulkIssueUnderWay,
    bulk_candidates,
    bulk_issue_dispatch,
    bulk_issue_idle_for,
    bulk_issue_resume,
    bulk_issue_start,
)
from certification.issuing.forms import BulkIssueForm, CertificateFilterForm
from certification.issuing.models import BulkIssue, BulkIssueItem, Certificate
from certification.issuing.services import certificate_complete_enqueue
from certification.issuing.share import linkedin_add_url, share_qr
from certification.levels.models import CertifyingBody
from certification.lifecycle.forms import RevokeForm
from certification.lifecycle.models import ContinuingEducation
from certification.lifecycle.selectors import renewal_progress
from certification.lifecycle.services import certificate_revoke, revocation_label
from certification.links import verify_url
from certification.verification.views import ld_json
from certification.workspace import (
    NO_CLASS,
    certificates_in,
    certifier_required,
    filters_of,
    form_errors,
    in_bodies,
    int_param,
    page_of,
    render_section,
)


@login_required
def my_certificates(request):
    certificates = list(
        Certificate.objects.filter(holder=request.user)
        .select_related("level", "superseded_by")
        .order_by("-issued_on", "-pk")
    )
    rows = []
    for certificate in certificates:
        progress = None
        if certificate.status == Certificate.Status.VALID and certificate.level.renewal_hours:
            progress = renewal_progress(certificate=certificate)
        rows.append(
            {
                "certificate": certificate,
                "status": certificate.effective_status(),
                "progress": progress,
                "share_url": verify_url(certificate.number),
                "linkedin_url": linkedin_add_url(certificate),
                "share_qr": share_qr(
                    certificate,
                    label=_("QR code of the verification page of %(number)s")
                    % {"number": certificate.number},
                ),
            }
        )
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("level", "body")
        .order_by("-created_at")
    )
    return render(
        request,
        "certification/my_certificates.html",
        {
            "rows": rows,
            "applications": applications,
            "activities": ContinuingEducation.objects.filter(holder=request.user)[:20],
        },
    )


def _own_certificate(request, number) -> Certificate:
    certificate = get_object_or_404(Certificate, number=number)
    if certificate.holder_id != request.user.pk and not may_certify(
        request.user, certificate.body_id
    ):
        raise Http404
    return certificate


@login_required
def certificate_pdf_download(request, number):
    """The stored PDF, byte for byte as issued. A revoked one is no longer handed out to its
    holder; certifiers can still fetch it for their records."""
    certificate = _own_certificate(request, number)
    is_holder = certificate.holder_id == request.user.pk
    if certificate.status == Certificate.Status.PENDING or not certificate.pdf:
        messages.info(request, _("The certificate is still being prepared. Try again shortly."))
        return redirect("my_certificates")
    if certificate.status == Certificate.Status.REVOKED and is_holder:
        messages.error(
            request,
            _(
                "Certificate %(number)s was revoked on %(date)s, so it can no longer be "
                "downloaded. Reason: %(reason)s"
            )
            % {
                "number": certificate.number,
                "date": certificate.revoked_at.date().isoformat(),
                "reason": revocation_label(certificate),
            },
        )
        return redirect("my_certificates")
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


@login_required
def certificate_credential_download(request, number):
    certificate = _own_certificate(request, number)
    if not certificate.credential:
        messages.info(request, _("The certificate is still being prepared. Try again shortly."))
        return redirect("my_certificates")
    return ld_json(certificate.credential, filename=f"{certificate.number}.credential.json")


PROGRESS_FAILURES = 50


PAGE_FAILURES = 200


def status_label(certificate: Certificate) -> tuple[str, str]:
    status = certificate.effective_status()
    return status, str(Certificate.Status(status).label)


def retry_issue(request, certificate: Certificate) -> None:
    """Queue the PDF and credential again for a certificate stuck in ``pending``."""
    if certificate.status != Certificate.Status.PENDING:
        messages.info(request, _("This certificate has already been issued."))
        return
    certificate_complete_enqueue(certificate.pk)
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


@certifier_required
@require_GET
def certificates(request, *, bodies):
    form = CertificateFilterForm(request.GET or None)
    filters = filters_of(request, form)
    found = certificates_in(bodies)
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
    page = page_of(request, found.order_by("-issued_on", "-pk"))
    for item in page:
        item.shown_status, item.shown_status_label = status_label(item)
    return render_section(
        request, "certificates.html", {"form": form, "certificates": page}, "certificates"
    )


@certifier_required
@require_http_methods(["GET", "POST"])
def certificate(request, number, *, bodies):
    certificate = get_object_or_404(
        certificates_in(bodies).select_related(
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
                form_errors(request, revoke_form)
                return _certificate_page(request, certificate, revoke_form)
            try:
                certificate_revoke(
                    certificate_id=certificate.pk,
                    actor=request.user,
                    reason=revoke_form.cleaned_data["reason"],
                    code=revoke_form.cleaned_data["code"],
                )
            except CertificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s is revoked.") % {"number": certificate.number},
                )
        elif action == "retry":
            retry_issue(request, certificate)
        else:
            messages.error(request, _("Choose what to do with this certificate."))
        return redirect(here)
    return _certificate_page(request, certificate, revoke_form)


def _certificate_page(request, certificate, revoke_form):
    shown_status, shown_label = status_label(certificate)
    own = is_own(request.user, certificate.holder_id)
    revocable = (
        certificate.status not in (Certificate.Status.REVOKED, Certificate.Status.PENDING)
        and may_certify(request.user, certificate.body_id)
        and not own
    )
    return render_section(
        request,
        "certificate.html",
        {
            "certificate": certificate,
            "status": shown_status,
            "status_label": shown_label,
            "revocable": revocable,
            "own_certificate": own,
            "revoke_form": revoke_form,
            "verify_url": verify_url(certificate.number),
            "history": history("certificate", certificate.pk),
        },
        "certificates",
    )


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
        in_bodies(CertifyingBody.objects.all(), bodies, "pk"), pk=int_param(params["body"])
    )
    course_param = params.get("course", NO_CLASS)
    course_id = None if course_param == NO_CLASS else int_param(course_param)
    candidates = bulk_candidates(body=body, course_id=course_id)
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
                run = bulk_issue_start(
                    body=body,
                    course_id=course_id,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                )
            except BulkIssueUnderWay as exc:
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
            form_errors(request, form)
    else:
        default_title = course_label or _("Applications without a class")
        form = BulkIssueForm(
            initial={"title": f"{default_title} · {timezone.localdate().isoformat()}"}
        )
    return render_section(
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
        in_bodies(Application.objects.filter(status__in=Application.BULK_ISSUABLE), bodies)
        .values("body_id", "body__name", "course_id", "course__title", "course__class_name")
        .annotate(**_candidate_counts())
        .order_by("body__name", "course__title", "course_id")
    )
    runs = in_bodies(BulkIssue.objects.select_related("body", "started_by"), bodies).order_by(
        "-created_at"
    )[:10]
    return render_section(
        request, "bulk_new.html", {"classes": list(classes), "runs": runs}, "bulk"
    )


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
        in_bodies(BulkIssue.objects.select_related("body", "course", "started_by"), bodies),
        pk=pk,
    )


@certifier_required
@require_http_methods(["GET", "POST"])
def bulk_run(request, pk, *, bodies):
    run = _bulk_run_for(bodies, pk)
    if request.method == "POST":
        if request.POST.get("action") == "retry":
            try:
                queued = bulk_issue_dispatch(run_id=run.pk, only_failed=True)
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
            idle = bulk_issue_idle_for(run)
            if idle is not None and idle >= BULK_STALLED_AFTER:
                bulk_issue_resume(run_id=run.pk)
                messages.success(request, _("The waiting applications have been queued again."))
            else:
                messages.info(request, _("This run is moving; there is nothing to resume."))
        else:
            messages.error(request, _("Choose what to do with this run."))
        return redirect("certify_bulk_run", pk=run.pk)
    progress = _bulk_progress(run, PAGE_FAILURES)
    idle = bulk_issue_idle_for(run)
    return render_section(
        request,
        "bulk_run.html",
        {
            "run": run,
            "progress": progress,
            "more_failures": max(0, progress["failed"] - len(progress["failures"])),
            "running": run.status == BulkIssue.Status.RUNNING,
            "stalled_minutes": (
                int(idle.total_seconds() // 60)
                if idle is not None and idle >= BULK_STALLED_AFTER
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
