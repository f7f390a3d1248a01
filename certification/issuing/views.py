"""Certificates: the holder's list and downloads; the certifier's list, one, and bulk issue."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from certification.access import is_own, may_certify
from certification.applications.confirm import confirmation_page, is_confirmed
from certification.applications.models import Application
from certification.applications.preview import certificate_preview_pdf
from certification.applications.services import printed_name_clean
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
    bulk_precheck,
)
from certification.issuing.corrections import (
    certificate_correct,
    correction_refusal,
    lineage_root,
    next_version,
    version_number,
)
from certification.issuing.forms import BulkIssueForm, CertificateFilterForm, CorrectionForm
from certification.issuing.models import BulkIssue, BulkIssueItem, Certificate
from certification.issuing.services import PRINT_RELATED, certificate_complete_enqueue
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
        if action == "correct":
            return _certificate_correct(request, certificate, revoke_form)
        if action == "revoke":
            revoke_form = RevokeForm(request.POST)
            if not revoke_form.is_valid():
                form_errors(request, revoke_form)
                return _certificate_page(request, certificate, revoke_form)
            if not is_confirmed(request):
                refusal = _revocation_refusal(request, certificate)
                if refusal:
                    messages.error(request, refusal)
                    return redirect(here)
                return _revoke_confirm(request, certificate, revoke_form)
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


def _revocation_refusal(request, certificate) -> str:
    """What ``certificate_revoke`` would refuse, said before asking to confirm."""
    if not may_certify(request.user, certificate.body_id):
        return _("You do not act for the body that issued this certificate.")
    if is_own(request.user, certificate.holder_id):
        return _("You cannot revoke your own certificate. Another certifier of %(body)s must.") % {
            "body": certificate.body_name
        }
    if certificate.status == Certificate.Status.REVOKED:
        return _("This certificate is already revoked.")
    if certificate.status == Certificate.Status.PENDING:
        return _("This certificate is still being issued; try again shortly.")
    return ""


def _holder_contact(certificate) -> str:
    """The account's e-mail; for an imported record nobody has claimed, what the import gave."""
    if certificate.holder_id:
        return certificate.holder.email
    imported = certificate.imported_holder
    return (imported.email or imported.phone) if imported else ""


def _revoke_confirm(request, certificate, revoke_form):
    code = revoke_form.cleaned_data["code"]
    return confirmation_page(
        request,
        title=_("Revoke this certificate?"),
        facts=[
            (_("Holder"), f"{certificate.printed_name} · {_holder_contact(certificate)}"),
            (_("Level"), certificate.level_name),
            (_("Public reason"), str(Certificate.RevocationCode(code).label)),
            (_("Certificate number"), certificate.number),
        ],
        consequence=_(
            "Revocation takes effect at once on the verification page, in the API and in the "
            "signed status list. It cannot be undone. To fix a misprinted name or photo, "
            "correct the certificate instead."
        ),
        button=_("Revoke the certificate"),
        danger=True,
        cancel_url=reverse("certify_certificate", args=[certificate.number]),
        section="certificates",
        fields=[
            ("action", "revoke"),
            ("code", code),
            ("reason", revoke_form.cleaned_data["reason"]),
        ],
    )


def _next_version_number(certificate) -> str:
    return version_number(lineage_root(certificate).number, next_version(certificate))


# The correction form shares the page with the revocation form: its fields are prefixed, so
# no two fields share a name or an id.
CORRECTION_PREFIX = "correct"


def _certificate_correct(request, certificate, revoke_form):
    next_number = _next_version_number(certificate)
    form = CorrectionForm(
        request.POST, request.FILES, next_number=next_number, prefix=CORRECTION_PREFIX
    )
    if not form.is_valid():
        form_errors(request, form)
        return _certificate_page(request, certificate, revoke_form, correction_form=form)
    try:
        new = certificate_correct(
            certificate_id=certificate.pk,
            actor=request.user,
            printed_name=form.cleaned_data["printed_name"],
            reason=form.cleaned_data["reason"],
            photo=form.cleaned_data["photo"],
            upload=form.cleaned_data.get("upload"),
        )
    except CertificationError as exc:
        messages.error(request, str(exc))
        return _certificate_page(request, certificate, revoke_form, correction_form=form)
    new.refresh_from_db(fields=["status"])
    messages.success(
        request,
        _("Corrected version %(new)s is issued; %(old)s is marked as replaced by it.")
        % {"new": new.number, "old": certificate.number}
        if new.status == Certificate.Status.VALID
        else _("Corrected version %(new)s is being issued.") % {"new": new.number},
    )
    return redirect("certify_certificate", number=new.number)


def _certificate_page(request, certificate, revoke_form, correction_form=None):
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
            "correctable": not correction_refusal(certificate, request.user),
            "correction_form": correction_form
            or CorrectionForm(
                initial={"printed_name": certificate.printed_name},
                next_number=_next_version_number(certificate),
                prefix=CORRECTION_PREFIX,
            ),
            "corrections": list(certificate.corrections.order_by("pk")),
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
    # Everyone the run would consider, with each unmet requirement, before it starts.
    precheck = bulk_precheck(body=body, course_id=course_id, actor=request.user)
    issuing = [c for c in precheck if not c.left_out]
    left_out = [c for c in precheck if c.left_out]
    course_label = _course_label(course_id)
    numbers = _bulk_numbers(body, issuing)
    if request.method == "POST":
        form = BulkIssueForm(request.POST)
        if not is_confirmed(request):
            # A hand-made post without the page's confirmation starts nothing.
            messages.error(request, _("Confirm the list below before starting the run."))
        elif form.is_valid():
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
                _bulk_started_message(request, run)
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
            "total": len(issuing),
            "held_back": len(left_out),
            "issuing": issuing,
            "left_out": left_out,
            "numbers": numbers,
            "confirmed_value": "yes",
        },
        "bulk",
    )


def _course_label(course_id) -> str:
    """The class's title and name (through the records that point at it; a class nobody has
    applied from yet is named by its page's title)."""
    from wagtail.models import Page

    if course_id is None:
        return ""
    for model in (Application, BulkIssue):
        course = (
            model.objects.filter(course_id=course_id)
            .values("course__title", "course__class_name")
            .first()
        )
        if course:
            parts = (course["course__title"], course["course__class_name"])
            return " · ".join(part for part in parts if part)
    return Page.objects.filter(pk=course_id).values_list("title", flat=True).first() or ""


def _bulk_numbers(body, issuing) -> list[str]:
    """The range the new certificates would take (those approved before have theirs)."""
    from certification.applications.preview import next_numbers
    from certification.levels.models import CertificationLevel

    new = [c for c in issuing if c.outcome == "issue"]
    levels = {c.level_id for c in new}
    if len(levels) != 1:
        return []
    try:
        return next_numbers(
            body=body, level=CertificationLevel.objects.get(pk=levels.pop()), count=len(new)
        )
    except CertificationError:
        return []


def _bulk_started_message(request, run) -> None:
    """What the run did so far, told truthfully: a finished run's outcome, not "started"."""
    run.refresh_from_db()
    progress = _bulk_progress(run, 0)
    if run.status != BulkIssue.Status.FINISHED:
        messages.info(
            request,
            ngettext(
                "Issuing %(count)d certificate: follow the progress below.",
                "Issuing %(count)d certificates: follow the progress below.",
                run.total,
            )
            % {"count": run.total},
        )
    elif progress["failed"] == 0:
        messages.success(
            request,
            ngettext(
                "%(count)d certificate issued.", "%(count)d certificates issued.", progress["done"]
            )
            % {"count": progress["done"]},
        )
    elif progress["done"]:
        messages.warning(
            request,
            _("%(done)d issued, %(failed)d not issued: the reasons are listed below.")
            % {"done": progress["done"], "failed": progress["failed"]},
        )
    else:
        messages.error(
            request,
            _("Nothing was issued: all %(failed)d failed. The reasons are listed below.")
            % {"failed": progress["failed"]},
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
        request,
        "bulk_new.html",
        {"classes": list(classes), "runs": runs, "base_classes": _base_classes(bodies)},
        "bulk",
    )


def _base_classes(bodies) -> list[dict]:
    """The classes of the training bases whose certifying bodies the person acts for, with
    the level each body issues to a whole class (issue 17: without each trainee applying)."""
    from courses import api as courses_api

    rows = []
    scope = in_bodies(CertifyingBody.objects.filter(is_active=True), bodies, "pk")
    for body in scope.exclude(training_base=None).select_related("training_base").order_by("pk"):
        levels = {
            level.course_level_id: level
            for level in body.levels.filter(approvers_required__lt=2, requires_identity_check=False)
            .exclude(course_level=None)
            .order_by("-pk")
        }
        for report in courses_api.class_reports(base_id=body.training_base_id):
            level = levels.get(report.level)
            if level is None or report.enrolled < 1:
                continue
            rows.append(
                {
                    "body": body,
                    "base_name": body.training_base.title,
                    "course_id": report.course_id,
                    "label": " · ".join(p for p in (report.title, report.class_name) if p),
                    "members": report.enrolled,
                    "level": level,
                }
            )
    return rows


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
    issued = _bulk_issued(run)
    return render_section(
        request,
        "bulk_run.html",
        {
            "run": run,
            "progress": progress,
            "more_failures": max(0, progress["failed"] - len(progress["failures"])),
            "running": run.status == BulkIssue.Status.RUNNING,
            "issued": issued,
            "all_failed": run.status == BulkIssue.Status.FINISHED
            and progress["done"] == 0
            and progress["failed"] > 0,
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


def _certifier_certificate(bodies, number) -> Certificate:
    return get_object_or_404(certificates_in(bodies).select_related(*PRINT_RELATED), number=number)


@certifier_required
@require_GET
@xframe_options_sameorigin
def certificate_pdf_inline(request, number, *, bodies):
    """The stored PDF, as issued, shown in the browser for the body's certifiers."""
    certificate = _certifier_certificate(bodies, number)
    if not certificate.pdf:
        raise Http404
    response = FileResponse(
        certificate.pdf.open("rb"),
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
    return _inline(response)


@certifier_required
@require_GET
@xframe_options_sameorigin
def correction_preview(request, number, *, bodies):
    """The certificate with a corrected name, marked 样张 / PREVIEW; never stored."""
    certificate = _certifier_certificate(bodies, number)
    try:
        name = printed_name_clean(
            request.GET.get(f"{CORRECTION_PREFIX}-printed_name")
            or request.GET.get("name")
            or certificate.printed_name
        )
    except CertificationError:
        name = certificate.printed_name
    response = HttpResponse(
        certificate_preview_pdf(certificate, printed_name=name), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="preview-{certificate.number}.pdf"'
    return _inline(response)


def _inline(response):
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _bulk_issued(run: BulkIssue) -> list[Certificate]:
    """The run's certificates, as issued (the number each person received), by number."""
    application_ids = BulkIssueItem.objects.filter(
        run=run, status=BulkIssueItem.Status.DONE
    ).values("application_id")
    return list(
        Certificate.objects.filter(application_id__in=application_ids)
        .select_related("holder")
        .order_by("number")
    )


def _bulk_files(run: BulkIssue) -> list[Certificate]:
    found = [c for c in _bulk_issued(run) if c.pdf]
    if not found:
        raise Http404
    return found


def _run_filename(run: BulkIssue, suffix: str) -> str:
    return f"bulk-{run.pk}-{timezone.localdate().isoformat()}.{suffix}"


@certifier_required
@require_GET
def bulk_zip(request, pk, *, bodies):
    """Every PDF of the run, as issued, named by certificate number."""
    import zipfile

    run = _bulk_run_for(bodies, pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in _bulk_files(run):
            with certificate.pdf.open("rb") as handle:
                archive.writestr(f"{certificate.number}.pdf", handle.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_run_filename(run, "zip")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@certifier_required
@require_GET
def bulk_print(request, pk, *, bodies):
    """One PDF with every certificate of the run in number order, to print the class."""
    from pypdf import PdfWriter

    run = _bulk_run_for(bodies, pk)
    writer = PdfWriter()
    for certificate in _bulk_files(run):
        with certificate.pdf.open("rb") as handle:
            writer.append(io.BytesIO(handle.read()))
    buffer = io.BytesIO()
    writer.write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_run_filename(run, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@certifier_required
@require_GET
def bulk_register(request, pk, *, bodies):
    """The class's certificate register as a workbook: one row per certificate issued."""
    from openpyxl import Workbook

    run = _bulk_run_for(bodies, pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Register")[:31]
    sheet.append(
        [
            _("Certificate number"),
            _("Printed name"),
            _("E-mail"),
            _("Level"),
            _("Certifying body"),
            _("Class"),
            _("Issued on"),
            _("Valid until"),
            _("Status"),
            _("PDF SHA-256"),
        ]
    )
    course = _course_label(run.course_id)
    for certificate in _bulk_issued(run):
        sheet.append(
            [
                certificate.number,
                certificate.printed_name,
                certificate.holder.email,
                certificate.level_name,
                certificate.body_name,
                course,
                certificate.issued_on,
                certificate.valid_until,
                str(Certificate.Status(certificate.effective_status()).label),
                certificate.pdf_sha256,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_run_filename(run, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response
