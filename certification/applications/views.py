"""Applying (the applicant) and reviewing (the certifier's queue and one application)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from certification.access import approval_refusal, is_own, may_certify, needs_two, other_deciders
from certification.applications.checklist import checklist, unmet
from certification.applications.confirm import confirmation_page, is_confirmed
from certification.applications.forms import (
    ApplicationForm,
    EvidenceForm,
    QueueFilterForm,
    ReasonForm,
)
from certification.applications.identity import (
    identity_check_record,
    identity_document_for_review,
    identity_of,
    image_for_review,
)
from certification.applications.models import Application, Evidence
from certification.applications.preview import application_preview_pdf, next_numbers
from certification.applications.services import (
    application_approve_first,
    application_create,
    application_decline,
    application_submit,
    application_update,
    application_withdraw,
    decidable,
    evidence_add,
    evidence_remove,
    review_start,
)
from certification.audit.history import history
from certification.audit.models import AuditEntry
from certification.errors import CertificationError
from certification.files import private_file
from certification.issuing.models import Certificate
from certification.issuing.services import application_approve
from certification.issuing.views import retry_issue, status_label
from certification.levels.models import CertificationLevel, CertifyingBody
from certification.verification.views import plausible_number
from certification.workspace import (
    ALL,
    certifier_required,
    filters_of,
    form_errors,
    in_bodies,
    page_of,
    render_section,
)
from portal.accounts.converters import record_id
from portal.accounts.identity import identity_summary


@login_required
def application_new(request):
    """Choose a level and see the checklist; then choose the body and start a draft."""
    levels = (
        CertificationLevel.objects.select_related("track").filter(bodies__is_active=True).distinct()
    )
    code = request.GET.get("level") or request.POST.get("level") or ""
    chosen = levels.filter(code=code).first() if plausible_number(code) else None
    course_level = request.GET.get("course_level", "")
    if not code and plausible_number(course_level):
        # From an exam's result page (courses names only its own course level): the level it
        # leads to, when exactly one does.
        matching = list(levels.filter(course_level=course_level)[:2])
        chosen = matching[0] if len(matching) == 1 else None
    bodies = chosen.bodies.filter(is_active=True) if chosen else CertifyingBody.objects.none()
    if request.method == "POST":
        body_id = record_id(request.POST.get("body"))
        body = bodies.filter(pk=body_id).first() if body_id is not None else None
        if chosen is None or body is None:
            messages.error(request, _("Choose a level and a certifying body."))
        else:
            try:
                application = application_create(applicant=request.user, level=chosen, body=body)
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                return redirect("application_detail", pk=application.pk)
    elif code and chosen is None:
        messages.error(request, _("There is no such level to apply for. Choose one from the list."))
    result = checklist(user_id=request.user.pk, level=chosen) if chosen else None
    return render(
        request,
        "certification/application_new.html",
        {"levels": levels, "chosen": chosen, "bodies": bodies, "checklist": result},
    )


def _own_application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.select_related("level", "body", "renews"),
        pk=pk,
        applicant=request.user,
    )


@login_required
def application_detail(request, pk):
    """The one application form: details, evidence and submit in one flow.

    Every part of a post is checked; the parts that pass are kept (details saved, a good file
    attached) and the parts refused are shown again with what is wrong, typed text and all.
    Submitting happens only when every part passed, and the service checks again whatever
    the post held (a hand-made post cannot skip a rule)."""
    application = _own_application(request, pk)
    form = ApplicationForm(
        initial={
            "printed_name": application.printed_name,
            "experience_years": application.experience_years,
            "experience_note": application.experience_note,
        }
    )
    evidence_form = EvidenceForm(optional=True)
    if request.method == "POST":
        action = request.POST.get("action") or "save"
        if action in ("withdraw", "remove"):
            return _application_action(request, application, action)
        form, evidence_form, response = _application_post(request, application, action)
        if response is not None:
            return response
    application.refresh_from_db()
    result = checklist(user_id=request.user.pk, level=application.level, application=application)
    history = AuditEntry.objects.filter(
        object_type="application", object_id=str(application.pk)
    ).order_by("pk")
    return render(
        request,
        "certification/application_detail.html",
        {
            "application": application,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": application.evidence.all(),
            "checklist": result,
            "history": history,
            # A level the body checks identity for: the real-name details must be on record
            # before a certifier can approve (certification/applications/identity.py).
            "identity_needed": application.level.requires_identity_check
            and identity_summary(request.user) is None,
        },
    )


def _application_action(request, application, action):
    """Withdraw, or remove a file (a post of the older, separate forms)."""
    calls = {
        "withdraw": (
            lambda: application_withdraw(application_id=application.pk, actor=request.user),
            _("Your application has been withdrawn."),
        ),
        "remove": (
            lambda: evidence_remove(
                evidence_id=_own_evidence(request, application, request.POST.get("evidence")),
                actor=request.user,
            ),
            _("The file has been removed."),
        ),
    }
    call, success = calls[action]
    try:
        call()
    except CertificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("application_detail", pk=application.pk)


def _own_evidence(request, application, value) -> int:
    """The id of the application's evidence the form names; refused when it names none."""
    evidence_id = record_id(value)
    if evidence_id is None or not application.evidence.filter(pk=evidence_id).exists():
        raise CertificationError(_("That file was not found. It may have been removed already."))
    return evidence_id


DETAIL_FIELDS = ("printed_name", "experience_years", "experience_note")


def _application_post(request, application, action):
    """Carry out one post of the application form; returns the two forms (bound where the post
    held them) and a redirect when everything asked for was done, else None."""
    # A post without the details (a file alone, from a script) leaves the saved ones as they are.
    has_details = any(name in request.POST for name in DETAIL_FIELDS)
    form = ApplicationForm(request.POST if has_details else None, initial=_initial(application))
    evidence_form = EvidenceForm(request.POST, request.FILES, optional=True)
    refused = False
    done = []
    if has_details:
        if form.is_valid():
            refused |= not _try(
                form, application_update, application, request.user, **form.cleaned_data
            )
            if not form.errors:
                done.append(_("Saved."))
        else:
            refused = True
    if evidence_form.is_valid():
        upload = evidence_form.cleaned_data.get("file")
        if upload:
            added = _try(
                evidence_form,
                evidence_add,
                application,
                request.user,
                kind=evidence_form.cleaned_data["kind"],
                upload=upload,
            )
            if added:
                done.append(_("The file has been added."))
                evidence_form = EvidenceForm(optional=True)  # the next file starts empty
            refused |= not added
    else:
        refused = True
    removing = request.POST.get("remove_evidence")
    if removing and not refused:
        try:
            evidence_remove(
                evidence_id=_own_evidence(request, application, removing), actor=request.user
            )
        except CertificationError as error:
            messages.error(request, str(error))
        else:
            done.append(_("The file has been removed."))
    if refused:
        messages.error(
            request,
            _("Nothing was submitted. Correct what is marked below; what you typed is kept."),
        )
        return form, evidence_form, None
    if action == "submit":
        try:
            application_submit(application_id=application.pk, actor=request.user)
        except CertificationError as error:
            for line in done:
                messages.success(request, line)
            messages.error(request, str(error))
            return form, evidence_form, None
        messages.success(request, _("Submitted. The certifying body will review your application."))
        return form, evidence_form, redirect("application_detail", pk=application.pk)
    for line in done or [_("Saved.")]:
        messages.success(request, line)
    return form, evidence_form, redirect("application_detail", pk=application.pk)


def _initial(application) -> dict:
    return {name: getattr(application, name) for name in DETAIL_FIELDS}


def _try(form, service, application, actor, **kwargs) -> bool:
    """Call an applicant's service; a refusal becomes the form's error. True when it passed."""
    try:
        service(application_id=application.pk, actor=actor, **kwargs)
    except CertificationError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
def evidence_download(request, pk, evidence_id):
    """An applicant's evidence, for the applicant and the body's certifiers only."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("application"), pk=evidence_id, application_id=pk
    )
    application = evidence.application
    if application.applicant_id != request.user.pk and not (
        # A draft never submitted is the applicant's own until they send it.
        application.submitted_at is not None and may_certify(request.user, application.body_id)
    ):
        raise Http404
    return private_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@certifier_required
@require_GET
def queue(request, *, bodies):
    form = QueueFilterForm(request.GET or None, bodies=bodies)
    filters = filters_of(request, form)
    # A draft never submitted is the applicant's own until they send it.
    applications = in_bodies(Application.objects.filter(submitted_at__isnull=False), bodies)
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
    page = page_of(request, applications)
    for item in page:  # one's own application waits for someone else: no action from here
        item.own_waiting = (
            is_own(request.user, item.applicant_id) and item.status in Application.AWAITING_DECISION
        )
    return render_section(
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
        in_bodies(
            # A draft never submitted is the applicant's own until they send it.
            Application.objects.filter(submitted_at__isnull=False).select_related(
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
                form_errors(request, forms[action])
                return _application_page(request, application, forms)
        if _irreversible(application, action) and not is_confirmed(request):
            # A first click, or a hand-made post: say what would happen; change nothing.
            try:
                _precheck(request, application, action)
            except CertificationError as exc:
                messages.error(request, str(exc))
                return redirect(here)
            return _application_confirm(request, application, action, forms)
        try:
            _application_act(request, application, action, forms)
        except CertificationError as exc:
            messages.error(request, str(exc))
        return redirect(here)
    return _application_page(request, application, forms)


def _irreversible(application, action) -> bool:
    """Issuing (an approval that is not the first of two) and a final rejection."""
    return action == "reject" or (action == "approve" and not _first_of_two(application))


def _precheck(request, application, action) -> None:
    """Refuse before asking to confirm what the service would refuse anyway (one's own
    application, nothing to decide, a requirement unmet, a missing identity check). Runs the
    services' own checks in a transaction that is always rolled back."""
    with transaction.atomic():
        locked = decidable(application.pk, request.user)
        if action == "approve":
            refusal = approval_refusal(locked, request.user)
            if refusal:
                raise CertificationError(refusal)
            result = checklist(user_id=locked.applicant_id, level=locked.level, application=locked)
            if not result.met:
                raise CertificationError(unmet(result))
            identity_check_record(locked, request.user, identity_checked=_identity_checked(request))
        transaction.set_rollback(True)


def _application_confirm(request, application, action, forms):
    person = application.printed_name or application.applicant.real_name
    here = reverse("certify_application", args=[application.pk])
    facts = [
        (_("Applicant"), f"{person} · {application.applicant.email}"),
        (_("Level"), str(application.level.name)),
        (_("Certifying body"), application.body.name),
    ]
    if action == "reject":
        reason = forms["reject"].cleaned_data["reason"]
        return confirmation_page(
            request,
            title=_("Reject this application?"),
            facts=[*facts, (_("Reason"), reason)],
            consequence=_(
                "A rejected application is closed for good; the applicant is told the reason."
            ),
            button=_("Reject the application"),
            danger=True,
            cancel_url=here,
            section="queue",
            fields=[("action", "reject"), ("reject-reason", reason)],
        )
    try:
        number = next_numbers(body=application.body, level=application.level)[0]
    except CertificationError as error:
        messages.error(request, str(error))
        return redirect(here)
    return confirmation_page(
        request,
        title=_("Approve and issue this certificate?"),
        facts=[*facts, (_("Certificate number"), number)],
        consequence=_(
            "The number is allocated and the certificate is issued, signed and published on "
            "its verification page at once. This cannot be undone: a mistake later means a "
            "correction or a revocation."
        ),
        extra_lines=[
            _(
                "The number shown is the next free one; if another certificate of the same "
                "range is issued first, this one takes the number after it."
            )
        ],
        button=_("Approve and issue"),
        cancel_url=here,
        section="queue",
        fields=[
            ("action", "approve"),
            ("identity_checked", request.POST.get("identity_checked", "")),
        ],
    )


def _application_act(request, application, action, forms) -> None:
    """Carry out one of the page's buttons; a refused one raises ``CertificationError``."""
    user = request.user
    if action == "start":
        review_start(application_id=application.pk, actor=user)
        messages.success(request, _("You are reviewing this application."))
    elif action == "approve" and _first_of_two(application):
        application_approve_first(
            application_id=application.pk,
            actor=user,
            identity_checked=_identity_checked(request),
        )
        messages.success(
            request,
            _(
                "First approval recorded. A different certifier of %(body)s must confirm it "
                "before the certificate is issued."
            )
            % {"body": application.body.name},
        )
    elif action == "approve":
        certificate = application_approve(
            application_id=application.pk, actor=user, identity_checked=_identity_checked(request)
        )
        messages.success(
            request,
            _("Approved. Certificate %(number)s is being issued.") % {"number": certificate.number},
        )
    elif action in ("return", "reject"):
        final = action == "reject"
        application_decline(
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
        retry_issue(request, certificate)
    else:
        raise CertificationError(_("Choose what to do with this application."))


def _identity_checked(request) -> bool:
    """The certifier ticked "I have checked the identity" (a checkbox posts "on")."""
    return request.POST.get("identity_checked") == "on"


def _first_of_two(application) -> bool:
    """Whether "approve" on this application is the first of two approvals (the second, a
    confirmation, issues the certificate)."""
    return needs_two(application) and application.status != Application.Status.AWAITING_CONFIRMATION


def _application_page(request, application, forms):
    certificate = Certificate.objects.filter(application=application).first()
    awaiting = application.status in Application.AWAITING_DECISION
    own = is_own(request.user, application.applicant_id)
    others = []
    if awaiting and own:
        others = other_deciders(body_id=application.body_id, excluding=[application.applicant_id])
    live = checklist(
        user_id=application.applicant_id, level=application.level, application=application
    )
    evidence = list(application.evidence.all())
    context = {
        "application": application,
        "applicant": application.applicant,
        "live_checklist": live,
        "checklist_rows": _checklist_with_evidence(live, evidence),
        "snapshot": application.checklist or {},
        "evidence": evidence,
        "preview_shown": awaiting or certificate is None,
        "history": history("application", application.pk),
        "certificate": certificate,
        "awaiting_decision": awaiting,
        "own_application": own,
        "nobody_else": awaiting and own and not others,
        "needs_two": needs_two(application),
        "first_of_two": _first_of_two(application),
        "approval_refusal": approval_refusal(application, request.user) if awaiting else "",
        "identity": identity_of(application.applicant),
        "identity_document_shown": awaiting and not own,
        "return_form": forms["return"],
        "reject_form": forms["reject"],
    }
    if certificate is not None:
        context["certificate_status"], context["certificate_status_label"] = status_label(
            certificate
        )
    return render_section(request, "application.html", context, "queue")


def _reviewable(request, pk, bodies) -> Application:
    """An application the person may decide now: their body's, submitted and awaiting a
    decision, and not their own. Anything else is not found."""
    application = get_object_or_404(
        in_bodies(
            Application.objects.filter(
                submitted_at__isnull=False, status__in=Application.AWAITING_DECISION
            ).select_related("applicant"),
            bodies,
        ),
        pk=pk,
    )
    if is_own(request.user, application.applicant_id):
        raise Http404
    return application


def _image_response(document):
    if document is None:
        raise Http404
    field, content_type = document
    response = private_file(
        field, filename=field.name.rsplit("/", 1)[-1], content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@certifier_required
@require_GET
def identity_document(request, pk, *, bodies):
    """The applicant's identity document image, for the certifiers who may decide the
    application now (see ``_reviewable``)."""
    application = _reviewable(request, pk, bodies)
    return _image_response(identity_document_for_review(application.applicant))


@certifier_required
@require_GET
def applicant_photo(request, pk, *, bodies):
    """The applicant's photo as on their account, beside the document, for the same people."""
    application = _reviewable(request, pk, bodies)
    return _image_response(image_for_review(application.applicant.photo))


# Which evidence lies behind a checklist item: the applicant's files for what they declare,
# the portal's own records for what it tracked itself.
ITEM_EVIDENCE_KINDS = {"experience": (Evidence.Kind.WORK_PROOF,)}


def _checklist_with_evidence(live, evidence) -> list[dict]:
    rows = []
    for item in live.items:
        kinds = ITEM_EVIDENCE_KINDS.get(item.key)
        if kinds is not None:
            files, source = [e for e in evidence if e.kind in kinds], ""
        elif item.key.startswith("hours:") or item.key == "learning_minutes":
            files, source = [], _("The portal's learning records (tracked time, check-ins)")
        elif item.key == "exam":
            files, source = [], _("The portal's exam records")
        elif item.key in ("prerequisite", "renewable"):
            files, source = [], _("Certificates issued by the portal")
        else:
            files, source = [], ""
        rows.append({"item": item, "files": files, "source": source})
    return rows


def _decidable_or_decided(request, pk, bodies) -> Application:
    """A submitted application of the person's bodies (a draft is its applicant's own)."""
    return get_object_or_404(
        in_bodies(
            Application.objects.filter(submitted_at__isnull=False).select_related(
                "applicant", "level", "level__track", "body", "renews"
            ),
            bodies,
        ),
        pk=pk,
    )


def _inline(response):
    """Shown inside the review page only: no scripts, framed by this site alone, not kept."""
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@certifier_required
@require_GET
@xframe_options_sameorigin
def application_preview(request, pk, *, bodies):
    """The certificate as it would be printed for this application: marked 样张 / PREVIEW,
    rendered on request and never stored."""
    application = _decidable_or_decided(request, pk, bodies)
    response = HttpResponse(application_preview_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{application.pk}.pdf"'
    return _inline(response)


@certifier_required
@require_GET
@xframe_options_sameorigin
def evidence_inline(request, pk, evidence_id, *, bodies):
    """An applicant's file shown inside the review page (a picture or a PDF), for the
    certifiers of the application's body."""
    application = _decidable_or_decided(request, pk, bodies)
    evidence = get_object_or_404(Evidence, pk=evidence_id, application=application)
    if evidence.content_type not in ("application/pdf", "image/jpeg", "image/png", "image/webp"):
        raise Http404
    response = private_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    return _inline(response)
