"""Renewal and continuing education (holder and certifier), and filing with the national body."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.access import is_filing_officer, is_own, may_certify
from certification.applications.confirm import confirmation_page, is_confirmed
from certification.errors import CertificationError
from certification.files import private_file
from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.lifecycle.forms import (
    ActivityReviewForm,
    ContinuingEducationForm,
    FilingFilterForm,
    FilingForm,
)
from certification.lifecycle.models import ContinuingEducation
from certification.lifecycle.selectors import filing_rows
from certification.lifecycle.services import (
    certificates_file,
    continuing_education_report,
    continuing_education_review,
    renewal_apply,
)
from certification.workspace import (
    ALL,
    XLSX,
    certificates_in,
    certifier_required,
    filters_of,
    form_errors,
    in_bodies,
    page_of,
    render_section,
)
from portal.accounts.spreadsheets import xlsx_bytes


@login_required
@require_POST
def certificate_renew(request, number):
    certificate = get_object_or_404(Certificate, number=number, holder=request.user)
    try:
        application = renewal_apply(certificate_id=certificate.pk, actor=request.user)
    except CertificationError as error:
        messages.error(request, str(error))
        return redirect("my_certificates")
    messages.success(
        request, _("Your renewal has been sent to %(body)s.") % {"body": certificate.body_name}
    )
    return redirect("application_detail", pk=application.pk)


@login_required
def continuing_education_evidence(request, pk):
    """An activity's evidence, for its holder and the body's certifiers only."""
    activity = get_object_or_404(ContinuingEducation, pk=pk)
    if activity.holder_id != request.user.pk and not may_certify(request.user, activity.body_id):
        raise Http404
    if not activity.evidence:
        raise Http404
    return private_file(activity.evidence, filename=activity.evidence.name.rsplit("/", 1)[-1])


@login_required
def continuing_education(request):
    """Report an external activity for renewal, to a body that certified you."""
    bodies = CertifyingBody.objects.filter(certificates__holder=request.user).distinct()
    if not bodies.exists():
        raise PermissionDenied(_("Continuing education is recorded for certificate holders."))
    form = ContinuingEducationForm(bodies=bodies)
    if request.method == "POST":
        form = ContinuingEducationForm(request.POST, request.FILES, bodies=bodies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                continuing_education_report(
                    holder=request.user,
                    body=data["body"],
                    title=data["title"],
                    provider=data["provider"],
                    completed_on=data["completed_on"],
                    hours=data["hours"],
                    upload=data.get("evidence"),
                )
            except CertificationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Reported. A certifier will review it."))
                return redirect("my_certificates")
    return render(
        request,
        "certification/continuing_education.html",
        {"form": form, "activities": ContinuingEducation.objects.filter(holder=request.user)},
    )


FILING_PAGE_SIZE = 100


def _filing_officer_only(request) -> None:
    if not is_filing_officer(request.user):
        raise PermissionDenied


def _filing_scope(bodies):
    return certificates_in(bodies).exclude(filing_status=Certificate.Filing.NOT_REQUIRED)


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
    filters = filters_of(request, form)
    filing_status = filters.get("filing", Certificate.Filing.PENDING)
    file_form = FilingForm(certificates=scope)
    if request.method == "POST":
        file_form = FilingForm(request.POST, certificates=scope)
        if file_form.is_valid():
            chosen = list(file_form.cleaned_data["certificate"])
            selected = [certificate.pk for certificate in chosen]
            reference = file_form.cleaned_data["reference"]
            try:
                if not is_confirmed(request):
                    _filing_precheck(selected, request.user, reference)
                    return _filing_confirm(request, chosen, reference)
                filed = certificates_file(
                    certificate_ids=selected, actor=request.user, reference=reference
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
        form_errors(request, file_form)
    listed = _filing_filtered(scope, filters).order_by("issued_on", "pk")
    recent = scope.filter(filing_status=Certificate.Filing.FILED).order_by("-filed_at", "-pk")
    return render_section(
        request,
        "filing.html",
        {
            "form": form,
            "file_form": file_form,
            "filing_status": filing_status,
            "certificates": page_of(request, listed, FILING_PAGE_SIZE),
            "recent": recent.select_related("filed_by")[:10],
            "pending_total": scope.filter(filing_status=Certificate.Filing.PENDING).count(),
            "export_query": request.GET.urlencode(),
        },
        "filing",
    )


def _filing_precheck(selected, actor, reference) -> None:
    """Refuse before asking what filing would refuse anyway (one's own certificate among
    them): the service runs in a transaction that is always rolled back."""
    with transaction.atomic():
        certificates_file(certificate_ids=selected, actor=actor, reference=reference)
        transaction.set_rollback(True)


def _filing_confirm(request, chosen, reference):
    """Filing is reported to the national body and is not undone here: name what is filed."""
    listed = ", ".join(
        f"{certificate.number} {certificate.printed_name}" for certificate in chosen[:20]
    )
    if len(chosen) > 20:
        listed += " …"
    return confirmation_page(
        request,
        title=ngettext(
            "File %(count)d certificate with the national body?",
            "File %(count)d certificates with the national body?",
            len(chosen),
        )
        % {"count": len(chosen)},
        facts=[
            (_("Certificates"), listed),
            (_("Filing reference"), reference),
        ],
        consequence=_(
            "The certificates are marked as filed under this reference and the filing is "
            "recorded in the audit log. It cannot be undone here."
        ),
        button=_("Mark the selected certificates as filed"),
        cancel_url=request.get_full_path(),
        section="filing",
        fields=[("reference", reference)]
        + [("certificate", str(certificate.pk)) for certificate in chosen],
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
    filters = filters_of(request, form)
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
            rows=filing_rows(rows, chunk_size=2000),
        )


@certifier_required
@require_http_methods(["GET", "POST"])
def continuing_education_queue(request, *, bodies):
    activities = in_bodies(ContinuingEducation.objects.select_related("holder", "body"), bodies)
    if request.method == "POST":
        form = ActivityReviewForm(request.POST)
        if form.is_valid():
            activity = get_object_or_404(activities, pk=form.cleaned_data["activity"])
            approve = form.cleaned_data["decision"] == ActivityReviewForm.APPROVE
            try:
                continuing_education_review(
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
            form_errors(request, form)
        return redirect(request.get_full_path())
    pending = activities.filter(status=ContinuingEducation.Status.PENDING).order_by(
        "created_at", "pk"
    )
    page = page_of(request, pending)
    for activity in page:
        activity.own = is_own(request.user, activity.holder_id)
        activity.evidence_name = (
            activity.evidence.name.rsplit("/", 1)[-1] if activity.evidence else ""
        )
    recent = activities.exclude(status=ContinuingEducation.Status.PENDING).order_by(
        F("reviewed_at").desc(nulls_last=True), "-pk"
    )[:20]
    return render_section(
        request,
        "continuing_education.html",
        {"activities": page, "recent": recent},
        "continuing_education",
    )
