"""Pages of selection rounds: the public round page (with the announcement and objections),
nominating, the nominee's page, the panel's scoring, the administrators' desk, and the award's
public verification. Thin: the rules are in services.py."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certification.credentials.did import credential_verify
from certification.errors import CertificationError
from certification.files import private_file
from certification.levels.models import CertifyingBody
from certification.recognition import selectors, services
from certification.recognition.forms import (
    DEFAULT_CRITERIA,
    AnswerForm,
    CriterionFormSet,
    NominationForm,
    ObjectionForm,
    PracticeChoiceForm,
    ReviewerForm,
    ReviewForm,
    RevokeAwardForm,
    RoundForm,
    criteria_rows,
    default_round_initial,
)
from certification.recognition.models import (
    Award,
    Nomination,
    NominationEvidence,
    Objection,
    SelectionRound,
)
from cms import api as cms_api
from portal.accounts.ratelimit import allow

OBJECTIONS_PER_MINUTE = 5


def _errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _user_by_email(email: str):
    return get_user_model().objects.filter(email__iexact=(email or "").strip()).first()


# --- public ---------------------------------------------------------------------------------


@require_GET
def rounds(request):
    return render(
        request,
        "certification/recognition/rounds.html",
        {"rounds": selectors.rounds_public().select_related("body")},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def round_detail(request, pk):
    """The round in public: its criteria and windows, the proposed list during the
    announcement (with the objection form), and the final list once published."""
    selection = get_object_or_404(SelectionRound.objects.select_related("body"), pk=pk)
    form = ObjectionForm()
    if request.method == "POST":
        form = ObjectionForm(request.POST)
        if not allow(request, scope="recognition-objection", limit=OBJECTIONS_PER_MINUTE):
            messages.error(request, _("Too many requests. Please wait a minute and try again."))
        elif form.is_valid():
            award = Award.objects.filter(pk=form.cleaned_data["award"], round=selection).first()
            try:
                if award is None:
                    raise CertificationError(_("There is no such proposed awardee."))
                services.objection_lodge(
                    award_id=award.pk,
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    contact_email=form.cleaned_data["contact_email"],
                )
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("Your objection has been lodged. The administrators will answer.")
                )
                return redirect("recognition_round", pk=selection.pk)
        else:
            _errors(request, form)
    announcing = selection.announcing()
    return render(
        request,
        "certification/recognition/round.html",
        {
            "round": selection,
            "criteria": selection.criteria.all(),
            "announcing": announcing,
            "proposed": selectors.proposed_list(selection) if announcing else [],
            "final": selectors.final_list(selection),
            "form": form,
        },
        status=200 if request.method == "GET" or not form.errors else 400,
    )


@require_GET
def award_verify(request, pk):
    """Anyone checks an award: who, which round, and whether its signed credential verifies."""
    award = (
        Award.objects.select_related("round__body")
        .filter(pk=pk, status__in=Award.PUBLIC_STATUSES, round__published_at__isnull=False)
        .first()
    )
    if award is None or not award.credential:
        return render(
            request,
            "certification/recognition/award_verify.html",
            {"award": None},
            status=404,
        )
    verification = credential_verify(award.credential)
    return render(
        request,
        "certification/recognition/award_verify.html",
        {"award": award, "verified": verification.verified, "problems": verification.errors},
    )


@require_GET
def award_credential(request, pk):
    """The award's signed credential, public like a certificate's."""
    award = Award.objects.filter(
        pk=pk, status__in=Award.PUBLIC_STATUSES, round__published_at__isnull=False
    ).first()
    if award is None or not award.credential:
        return JsonResponse({"error": "not_found"}, status=404)
    response = JsonResponse(award.credential, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- nominating -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request, pk):
    selection = get_object_or_404(SelectionRound, pk=pk)
    user = request.user
    bases = [
        base
        for base in cms_api.training_bases_for_editor(user_id=user.pk)
        if base.page_id in cms_api.training_base_ids_for_staff(user_id=user.pk, role="editor")
    ]
    bodies = list(CertifyingBody.objects.filter(certifiers=user, is_active=True))
    form = NominationForm(
        request.POST or None, request.FILES or None, user=user, bases=bases, bodies=bodies
    )
    if request.method == "POST" and form.is_valid():
        by, org = form.nominator_parts()
        nominee = (
            user if by == Nomination.By.SELF else _user_by_email(form.cleaned_data["nominee_email"])
        )
        try:
            services.nomination_create(
                round_id=selection.pk,
                actor=user,
                nominee=nominee,
                by=by,
                statement=form.cleaned_data["statement"],
                base_id=org if by == Nomination.By.BASE else None,
                body=CertifyingBody.objects.filter(pk=org).first()
                if by == Nomination.By.BODY
                else None,
                practice_record_ids=[r.pk for r in form.cleaned_data["practice_records"]],
                uploads=form.cleaned_data.get("evidence") or [],
            )
        except CertificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The nomination has been submitted."))
            return redirect("my_nominations")
    return render(
        request,
        "certification/recognition/nominate.html",
        {"round": selection, "form": form, "open": selection.nominations_open()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_nominations(request):
    user = request.user
    if request.method == "POST":
        form = PracticeChoiceForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.nomination_practice_set(
                    nomination_id=form.cleaned_data["nomination"],
                    actor=user,
                    record_ids=[r.pk for r in form.cleaned_data["practice_records"]],
                )
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your practice records have been attached."))
                return redirect("my_nominations")
        else:
            _errors(request, form)
    nominations = list(selectors.nominations_of(user))
    for nomination in nominations:
        if nomination.nominee_id == user.pk and nomination.round.nominations_open():
            nomination.practice_form = PracticeChoiceForm(
                user=user,
                initial={
                    "nomination": nomination.pk,
                    "practice_records": [r.pk for r in nomination.practice_records.all()],
                },
            )
    return render(
        request,
        "certification/recognition/my_nominations.html",
        {"nominations": nominations, "open_rounds": selectors.rounds_open_for_nomination()},
    )


@login_required
@require_GET
def evidence_download(request, pk, evidence_id):
    nomination = get_object_or_404(Nomination.objects.select_related("round"), pk=pk)
    if not selectors.may_see_nomination(request.user, nomination):
        raise Http404
    evidence = get_object_or_404(NominationEvidence, pk=evidence_id, nomination=nomination)
    return private_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


# --- the panel ------------------------------------------------------------------------------


@login_required
@require_GET
def review_home(request):
    user = request.user
    panels = []
    for selection in selectors.panel_rounds(user):
        rows = []
        nominations = selection.nominations.filter(status=Nomination.Status.SUBMITTED)
        for nomination in nominations.select_related("nominee", "certificate__body", "round"):
            review = selectors.my_review(user, nomination)
            refusal = "" if review else services.review_refusal(user, nomination)
            rows.append({"nomination": nomination, "review": review, "refusal": refusal})
        panels.append({"round": selection, "rows": rows})
    if not panels:
        raise PermissionDenied
    return render(request, "certification/recognition/review_home.html", {"panels": panels})


@login_required
@require_http_methods(["GET", "POST"])
def review_nomination(request, pk):
    nomination = get_object_or_404(
        Nomination.objects.select_related("round", "nominee", "certificate__body"), pk=pk
    )
    user = request.user
    if not selectors.is_panel_member(user, nomination.round):
        raise PermissionDenied
    criteria = list(nomination.round.criteria.all())
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        conflict = form.cleaned_data["declaration"] == ReviewForm.CONFLICT
        try:
            services.review_submit(
                nomination_id=nomination.pk,
                actor=user,
                conflict=conflict,
                conflict_note=form.cleaned_data["conflict_note"],
                no_conflict_declared=not conflict,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except CertificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your review has been submitted."))
            return redirect("recognition_review")
    review = selectors.my_review(user, nomination)
    stood_aside = review is not None and review.conflict
    others = []
    if review is not None and not stood_aside:  # after one's own scores, never before
        others = nomination.reviews.exclude(reviewer=user).prefetch_related("scores__criterion")
    return render(
        request,
        "certification/recognition/review.html",
        {
            "nomination": nomination,
            "form": form,
            "review": review,
            "stood_aside": stood_aside,
            "others": others,
            "refusal": "" if review else services.review_refusal(user, nomination),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- administrators -------------------------------------------------------------------------


def _admin(request):
    if not services.is_recognition_admin(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def manage_rounds(request):
    _admin(request)
    form = RoundForm(request.POST or None, initial=default_round_initial())
    criteria = CriterionFormSet(request.POST or None, initial=DEFAULT_CRITERIA, prefix="criteria")
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        try:
            selection = services.round_create(
                actor=request.user, data=form.cleaned_data, criteria=criteria_rows(criteria)
            )
        except CertificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The selection round is open."))
            return redirect("recognition_manage_round", pk=selection.pk)
    return render(
        request,
        "certification/recognition/manage_rounds.html",
        {"rounds": SelectionRound.objects.all(), "form": form, "criteria": criteria},
        status=400 if request.method == "POST" else 200,
    )


def _manage_action(request, selection) -> None:
    action = request.POST.get("action")
    actor = request.user
    if action == "assign":
        form = ReviewerForm(request.POST)
        if not form.is_valid():
            return _errors(request, form)
        user = _user_by_email(form.cleaned_data["email"])
        services.reviewer_assign(round_id=selection.pk, actor=actor, user=user)
        messages.success(request, _("The reviewer has been added to the panel."))
    elif action == "remove":
        try:
            user_id = int(request.POST.get("user", ""))
        except ValueError:
            raise CertificationError(_("That person is not on the panel.")) from None
        services.reviewer_remove(round_id=selection.pk, actor=actor, user_id=user_id)
        messages.success(request, _("The reviewer has been taken off the panel."))
    elif action == "announce":
        services.round_announce(round_id=selection.pk, actor=actor)
        messages.success(request, _("The proposed list is announced for public objection."))
    elif action == "answer":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return _errors(request, form)
        objection = Objection.objects.filter(
            pk=form.cleaned_data["objection"], award__round=selection
        ).first()
        if objection is None:
            raise CertificationError(_("There is no such objection."))
        services.objection_answer(
            objection_id=objection.pk,
            actor=actor,
            answer=form.cleaned_data["answer"],
            outcome=form.cleaned_data["outcome"],
        )
        messages.success(request, _("The objection has been answered."))
    elif action == "revoke":
        form = RevokeAwardForm(request.POST)
        if not form.is_valid():
            return _errors(request, form)
        award = Award.objects.filter(pk=form.cleaned_data["award"], round=selection).first()
        if award is None:
            raise CertificationError(_("There is no such award."))
        services.award_revoke(award_id=award.pk, actor=actor, reason=form.cleaned_data["reason"])
        messages.success(request, _("The award has been revoked and the awardee told."))
    elif action == "publish":
        services.round_publish(round_id=selection.pk, actor=actor)
        messages.success(request, _("The final list is published and the awards are issued."))
    else:
        messages.error(request, _("Choose what to do."))


@login_required
@require_http_methods(["GET", "POST"])
def manage_round(request, pk):
    _admin(request)
    selection = get_object_or_404(SelectionRound.objects.select_related("body"), pk=pk)
    if request.method == "POST":
        try:
            _manage_action(request, selection)
        except CertificationError as error:
            messages.error(request, str(error))
        return redirect("recognition_manage_round", pk=selection.pk)
    objections = (
        Objection.objects.filter(award__round=selection)
        .select_related("award", "lodged_by", "answered_by")
        .order_by("answered_at", "pk")
    )
    for objection in objections:
        if objection.answered_at is None:
            objection.form = AnswerForm(initial={"objection": objection.pk})
    return render(
        request,
        "certification/recognition/manage_round.html",
        {
            "round": selection,
            "criteria": selection.criteria.all(),
            "reviewers": selection.reviewers.select_related("user"),
            "ranking": selectors.ranking(selection),
            "awards": selection.award_list.select_related("nomination__nominee"),
            "revoke_form": RevokeAwardForm(),
            "objections": objections,
            "reviewer_form": ReviewerForm(),
        },
    )
