"""Writes of a selection round: opening it, nominating, the panel's scores, the announcement
(公示), objections and their answers, and publication with the awardees' signed credentials.

Every refusal is here, not in the views, so a hand-made POST meets the same rules: only
administrators run a round and answer objections; only the panel scores, each reviewer once,
inside the review window, after declaring conflicts, never for themselves, a person they
nominated, or a nominee of their own organisation; objections are taken only during the
announcement; publication waits until every objection has an answer.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.audit.chain import audit_append, audit_append_many
from certification.errors import CertificationError
from certification.files import evidence_check, stored_name
from certification.levels.models import CertifyingBody
from certification.links import absolute_url
from certification.mail import notify
from certification.practice.models import PracticeRecord
from certification.recognition.models import (
    Award,
    Criterion,
    Nomination,
    NominationEvidence,
    Objection,
    Review,
    Reviewer,
    Score,
    SelectionRound,
)
from certification.recognition.organisations import shared_organisation
from certification.registry.selectors import certificates_in_force
from cms import api as cms_api
from portal.accounts.mail import mail_queue
from portal.accounts.names import text_clean
from portal.accounts.roles import Role, user_has_role

MAX_EVIDENCE = 5
MAX_CRITERIA = 12
STAFF_ROLES = (Role.FACULTY, Role.BASE_EDITOR, Role.CERTIFIER, Role.ADMINISTRATOR)


def is_recognition_admin(user) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)


def _admin_only(actor) -> None:
    if not is_recognition_admin(actor):
        raise CertificationError(_("Only administrators run selection rounds."))


def _clean(value: str, *, limit: int) -> str:
    try:
        return text_clean((value or "").strip())[:limit]
    except Exception as error:  # ValidationError: invisible or control characters
        raise CertificationError(" ".join(getattr(error, "messages", [str(error)]))) from error


def _locked_round(round_id: int) -> SelectionRound:
    selection = SelectionRound.objects.select_for_update(of=("self",)).filter(pk=round_id).first()
    if selection is None:
        raise CertificationError(_("There is no such selection round."))
    return selection


# --- the round ------------------------------------------------------------------------------


WINDOW_FIELDS = (
    "nomination_opens",
    "nomination_closes",
    "review_opens",
    "review_closes",
    "announce_from",
    "announce_until",
)


def windows_problem(data: dict) -> str:
    """Why the windows cannot stand, or ""; each follows the one before, without overlap."""
    days = [data.get(name) for name in WINDOW_FIELDS]
    if any(not isinstance(day, datetime.date) for day in days):
        return _("Give every date of the round.")
    n_open, n_close, r_open, r_close, a_from, a_until = days
    if n_close < n_open or r_close < r_open or a_until < a_from:
        return _("Each window must end on or after the day it starts.")
    if r_open <= n_close:
        return _("The review must open after nominations close.")
    if a_from <= r_close:
        return _("The announcement (公示) must start after the review closes.")
    return ""


def criteria_problem(criteria: list[dict]) -> str:
    """Why the criteria cannot stand, or "": named, distinct, weights summing to 100."""
    if not criteria:
        return _("Give at least one criterion.")
    if len(criteria) > MAX_CRITERIA:
        return _("Give at most %(count)d criteria.") % {"count": MAX_CRITERIA}
    names = [criterion["name"] for criterion in criteria]
    if any(not name for name in names) or len(set(names)) != len(names):
        return _("Every criterion needs a name of its own.")
    for criterion in criteria:
        if not (1 <= criterion["weight"] <= 100) or not (1 <= criterion["max_score"] <= 100):
            return _("Weights and highest scores run from 1 to 100.")
    total = sum(criterion["weight"] for criterion in criteria)
    if total != 100:
        return _("The weights must add up to 100; these add up to %(total)d.") % {"total": total}
    return ""


def _criteria_cleaned(criteria) -> list[dict]:
    cleaned = []
    for row in criteria or []:
        try:
            weight, max_score = int(row.get("weight")), int(row.get("max_score") or 10)
        except (TypeError, ValueError) as error:
            raise CertificationError(_("Weights and highest scores are whole numbers.")) from error
        cleaned.append(
            {
                "name": _clean(row.get("name", ""), limit=80),
                "description": _clean(row.get("description", ""), limit=300),
                "weight": weight,
                "max_score": max_score,
            }
        )
    return cleaned


@transaction.atomic
def round_create(*, actor, data: dict, criteria: list[dict]) -> SelectionRound:
    """Open a round (``data``: title, year, description, body, awards and the six dates) with
    its criteria; the weights must add up to 100."""
    _admin_only(actor)
    problem = windows_problem(data)
    criteria = _criteria_cleaned(criteria)
    problem = problem or criteria_problem(criteria)
    title = _clean(data.get("title", ""), limit=120)
    if not title:
        problem = problem or _("Give the round a title.")
    body = data.get("body")
    if not isinstance(body, CertifyingBody) or not body.is_active:
        problem = problem or _("Choose the certifying body that awards and signs.")
    awards = data.get("awards")
    if not isinstance(awards, int) or not 1 <= awards <= 100:
        problem = problem or _("The number of awards runs from 1 to 100.")
    if problem:
        raise CertificationError(problem)
    selection = SelectionRound.objects.create(
        title=title,
        year=data["year"],
        description=_clean(data.get("description", ""), limit=4000),
        body=body,
        awards=awards,
        created_by=actor,
        **{name: data[name] for name in WINDOW_FIELDS},
    )
    Criterion.objects.bulk_create(
        Criterion(round=selection, sort_order=index, **criterion)
        for index, criterion in enumerate(criteria)
    )
    audit_append(
        actor=actor,
        action="recognition.round_opened",
        obj=selection,
        data={
            "title": selection.title,
            "year": selection.year,
            "awards": selection.awards,
            "criteria": [[c["name"], c["weight"], c["max_score"]] for c in criteria],
            **{name: data[name].isoformat() for name in WINDOW_FIELDS},
        },
    )
    return selection


@transaction.atomic
def criteria_set(*, round_id: int, actor, criteria: list[dict]) -> SelectionRound:
    """Replace the round's criteria: only before anybody has scored."""
    _admin_only(actor)
    selection = _locked_round(round_id)
    if Review.objects.filter(nomination__round=selection).exists():
        raise CertificationError(_("Reviewers have started scoring; the criteria are fixed."))
    criteria = _criteria_cleaned(criteria)
    problem = criteria_problem(criteria)
    if problem:
        raise CertificationError(problem)
    selection.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(round=selection, sort_order=index, **criterion)
        for index, criterion in enumerate(criteria)
    )
    audit_append(
        actor=actor,
        action="recognition.criteria_set",
        obj=selection,
        data={"criteria": [[c["name"], c["weight"], c["max_score"]] for c in criteria]},
    )
    return selection


@transaction.atomic
def reviewer_assign(*, round_id: int, actor, user) -> Reviewer:
    """Put a staff member on the round's panel (staff sign in with a second factor)."""
    _admin_only(actor)
    selection = _locked_round(round_id)
    if selection.review_closes < timezone.localdate():
        raise CertificationError(_("The review has closed; the panel can no longer change."))
    if user is None or not user.is_active:
        raise CertificationError(_("There is no active account with that e-mail address."))
    if not any(user_has_role(user, role) for role in STAFF_ROLES):
        raise CertificationError(
            _("Reviewers must be staff (faculty, base editors, certifiers or administrators).")
        )
    if Reviewer.objects.filter(round=selection, user=user).exists():
        raise CertificationError(_("%(name)s is already on the panel.") % {"name": user.email})
    seat = Reviewer.objects.create(round=selection, user=user, assigned_by=actor)
    audit_append(
        actor=actor,
        action="recognition.reviewer_assigned",
        obj=selection,
        data={"reviewer": user.email},
    )
    return seat


@transaction.atomic
def reviewer_remove(*, round_id: int, actor, user_id: int) -> None:
    """Take someone off the panel before they have scored anything."""
    _admin_only(actor)
    selection = _locked_round(round_id)
    seat = Reviewer.objects.filter(round=selection, user_id=user_id).select_related("user").first()
    if seat is None:
        raise CertificationError(_("That person is not on the panel."))
    if Review.objects.filter(nomination__round=selection, reviewer_id=user_id).exists():
        raise CertificationError(_("This reviewer has already submitted reviews; they stay."))
    audit_append(
        actor=actor,
        action="recognition.reviewer_removed",
        obj=selection,
        data={"reviewer": seat.user.email},
    )
    seat.delete()


# --- nominations ----------------------------------------------------------------------------


def certificate_for_nomination(user):
    """The certificate a nomination rests on: the nominee's highest one in force, issued here
    or imported and claimed; None if they hold none."""
    return (
        certificates_in_force()
        .filter(holder=user)
        .select_related("body", "level")
        .order_by("-level__rank", "-issued_on", "-pk")
        .first()
    )


def _practice_records(nominee, record_ids) -> list[PracticeRecord]:
    record_ids = {int(pk) for pk in record_ids or []}
    records = list(
        PracticeRecord.objects.filter(
            pk__in=record_ids, owner=nominee, status=PracticeRecord.Status.CONFIRMED
        )
    )
    if len(records) != len(record_ids):
        raise CertificationError(
            _("Choose only the nominee's own practice records that have been confirmed.")
        )
    return records


def _evidence_add(nomination: Nomination, uploads) -> None:
    uploads = [upload for upload in uploads or [] if upload]
    if nomination.evidence.count() + len(uploads) > MAX_EVIDENCE:
        raise CertificationError(
            _("Attach at most %(count)d evidence files.") % {"count": MAX_EVIDENCE}
        )
    for upload in uploads:
        content_type = evidence_check(upload)
        upload.seek(0)
        evidence = NominationEvidence(
            nomination=nomination,
            original_name=(upload.name or "evidence")[-200:],
            content_type=content_type,
            size=upload.size,
        )
        evidence.file.save(stored_name(content_type), upload, save=False)
        evidence.save()


@transaction.atomic
def nomination_create(
    *,
    round_id: int,
    actor,
    nominee,
    by: str,
    statement: str,
    base_id: int | None = None,
    body: CertifyingBody | None = None,
    practice_record_ids=(),
    uploads=(),
) -> Nomination:
    """Nominate ``nominee``: by themselves (``by="self"``), by a training base the actor edits
    (``base_id``), or by a certifying body the actor certifies for (``body``)."""
    selection = _locked_round(round_id)
    if not selection.nominations_open():
        raise CertificationError(_("Nominations for this round are not open."))
    if nominee is None or not nominee.is_active:
        raise CertificationError(_("There is no active account with that e-mail address."))
    base = None
    if by == Nomination.By.SELF:
        if nominee.pk != actor.pk:
            raise CertificationError(_("A self-nomination names yourself."))
        body = None
    elif by == Nomination.By.BASE:
        if not base_id or base_id not in cms_api.training_base_ids_for_staff(
            user_id=actor.pk, role="editor"
        ):
            raise CertificationError(_("You can nominate only for a training base you edit."))
        base, body = cms_api.training_base_get(page_id=base_id), None
    elif by == Nomination.By.BODY:
        if body is None or not body.certifiers.filter(pk=actor.pk).exists():
            raise CertificationError(
                _("You can nominate only for a certifying body you certify for.")
            )
    else:
        raise CertificationError(_("Say who nominates."))
    if by != Nomination.By.SELF and nominee.pk == actor.pk:
        raise CertificationError(
            _("An organisation cannot nominate the person acting for it; nominate yourself.")
        )
    certificate = certificate_for_nomination(nominee)
    if certificate is None:
        raise CertificationError(
            _(
                "%(name)s holds no certificate in force. Only certified technology brokers and "
                "managers can be nominated."
            )
            % {"name": nominee.real_name or nominee.email}
        )
    statement = _clean(statement, limit=4000)
    if len(statement) < 20:
        raise CertificationError(_("Write a statement of at least 20 characters."))
    if Nomination.objects.filter(round=selection, nominee=nominee).exists():
        raise CertificationError(_("This person has already been nominated in this round."))
    records = _practice_records(nominee, practice_record_ids) if by == Nomination.By.SELF else []
    uploads = [upload for upload in uploads or [] if upload]
    if len(uploads) > MAX_EVIDENCE:
        raise CertificationError(
            _("Attach at most %(count)d evidence files.") % {"count": MAX_EVIDENCE}
        )
    for upload in uploads:  # every file checked before anything is stored
        evidence_check(upload)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                round=selection,
                nominee=nominee,
                nominated_by=actor,
                by=by,
                base_id=base.page_id if base else None,
                body=body if by == Nomination.By.BODY else None,
                certificate=certificate,
                statement=statement,
            )
    except IntegrityError as error:
        raise CertificationError(
            _("This person has already been nominated in this round.")
        ) from error
    nomination.practice_records.set(records)
    _evidence_add(nomination, uploads)
    audit_append(
        actor=actor,
        action="recognition.nominated",
        obj=nomination,
        data={
            "round": selection.pk,
            "nominee": nominee.email,
            "by": by,
            "base": nomination.base_id,
            "body": nomination.body_id,
            "certificate": certificate.number,
            "practice_records": [record.pk for record in records],
        },
    )
    if by != Nomination.By.SELF:
        notify(
            nominee,
            _("You have been nominated: %(round)s") % {"round": selection.title},
            [
                _("%(organisation)s has nominated you.")
                % {"organisation": base.name if base else body.name},
                _("You may add your confirmed practice records to the nomination at:"),
                absolute_url(reverse("my_nominations")),
            ],
        )
    return nomination


@transaction.atomic
def nomination_practice_set(*, nomination_id: int, actor, record_ids) -> Nomination:
    """The nominee chooses which of their confirmed projects the panel sees."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None or nomination.nominee_id != actor.pk:
        raise CertificationError(_("This is not a nomination of you."))
    if not nomination.round.nominations_open():
        raise CertificationError(_("Nominations for this round have closed."))
    records = _practice_records(actor, record_ids)
    nomination.practice_records.set(records)
    audit_append(
        actor=actor,
        action="recognition.practice_set",
        obj=nomination,
        data={"practice_records": [record.pk for record in records]},
    )
    return nomination


# --- the panel ------------------------------------------------------------------------------


def review_refusal(user, nomination: Nomination, today=None) -> str:
    """Why ``user`` may not review ``nomination`` now, or ""."""
    selection = nomination.round
    if not Reviewer.objects.filter(round=selection, user_id=user.pk).exists():
        return _("You are not on this round's panel.")
    if nomination.nominee_id == user.pk:
        return _("You cannot review your own nomination.")
    if nomination.nominated_by_id == user.pk:
        return _("You nominated this person; another reviewer must score them.")
    if shared_organisation(user, nomination):
        return _("This nominee belongs to your own organisation; another reviewer must score them.")
    if nomination.status != Nomination.Status.SUBMITTED:
        return _("This nomination has been withdrawn.")
    if not selection.review_open(today):
        return _("Scores are taken only from %(start)s to %(end)s.") % {
            "start": selection.review_opens.isoformat(),
            "end": selection.review_closes.isoformat(),
        }
    return ""


def weighted_score(scores: dict[int, int], criteria) -> Decimal:
    """Σ score / highest × weight: 0 to 100, to two places."""
    total = sum(
        Decimal(scores[criterion.pk]) / Decimal(criterion.max_score) * criterion.weight
        for criterion in criteria
    )
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def review_submit(
    *,
    nomination_id: int,
    actor,
    conflict: bool,
    conflict_note: str = "",
    no_conflict_declared: bool = False,
    scores: dict | None = None,
    comment: str = "",
) -> Review:
    """A reviewer's one review of a nomination: a declared conflict (they stand aside), or
    their scores, given only after declaring that they have no conflict."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round", "nominee", "certificate__body")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        raise CertificationError(_("There is no such nomination."))
    refusal = review_refusal(actor, nomination)
    if refusal:
        raise CertificationError(refusal)
    if Review.objects.filter(nomination=nomination, reviewer=actor).exists():
        raise CertificationError(_("You have already reviewed this nomination."))
    criteria = list(nomination.round.criteria.all())
    note = _clean(conflict_note, limit=500)
    if conflict:
        if not note:
            raise CertificationError(_("Say what the conflict is."))
        review = Review.objects.create(
            nomination=nomination, reviewer=actor, conflict=True, conflict_note=note
        )
        audit_append(
            actor=actor,
            action="recognition.conflict_declared",
            obj=review,
            data={"nomination": nomination.pk, "note": note},
        )
        return review
    if not no_conflict_declared:
        raise CertificationError(
            _("Declare that you have no conflict of interest before scoring, or declare one.")
        )
    scores = scores or {}
    cleaned = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise CertificationError(
                _("Score “%(criterion)s”.") % {"criterion": criterion.name}
            ) from None
        if not 0 <= value <= criterion.max_score:
            raise CertificationError(
                _("Score “%(criterion)s” from 0 to %(max)d.")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
        cleaned[criterion.pk] = value
    review = Review.objects.create(
        nomination=nomination,
        reviewer=actor,
        comment=_clean(comment, limit=2000),
        weighted=weighted_score(cleaned, criteria),
    )
    Score.objects.bulk_create(
        Score(review=review, criterion=criterion, score=cleaned[criterion.pk])
        for criterion in criteria
    )
    audit_append(
        actor=actor,
        action="recognition.scored",
        obj=review,
        data={
            "nomination": nomination.pk,
            "scores": {str(pk): value for pk, value in cleaned.items()},
            "weighted": str(review.weighted),
        },
    )
    return review


# --- announcement, objections, publication --------------------------------------------------


def nominee_organisation(nomination: Nomination) -> str:
    listing = getattr(nomination.nominee, "registry_listing", None)
    return (getattr(listing, "organisation", "") or nomination.nominee.organisation or "")[:200]


@transaction.atomic
def round_announce(*, round_id: int, actor) -> list[Award]:
    """Put the ranking's top places up for the announcement (公示): the proposed list."""
    from certification.recognition.selectors import ranking

    _admin_only(actor)
    selection = _locked_round(round_id)
    today = timezone.localdate()
    if selection.announced_at is not None:
        raise CertificationError(_("The proposed list has already been announced."))
    if today <= selection.review_closes:
        raise CertificationError(_("Announce the list once the review has closed."))
    if today > selection.announce_until:
        raise CertificationError(_("The announcement period has passed."))
    rows = [row for row in ranking(selection) if row.reviews][: selection.awards]
    if not rows:
        raise CertificationError(_("Nobody has been scored; there is nothing to announce."))
    awards = Award.objects.bulk_create(
        Award(
            round=selection,
            nomination=row.nomination,
            rank=index,
            score=row.average,
            name=row.nomination.nominee_name[:60],
            organisation=nominee_organisation(row.nomination),
        )
        for index, row in enumerate(rows, start=1)
    )
    selection.announced_at = timezone.now()
    selection.save(update_fields=["announced_at"])
    audit_append(
        actor=actor,
        action="recognition.announced",
        obj=selection,
        data={"proposed": [[a.rank, a.nomination_id, str(a.score)] for a in awards]},
    )
    return awards


@transaction.atomic
def objection_lodge(*, award_id: int, reason: str, user=None, contact_email: str = "") -> Objection:
    """Anyone objects to a proposed awardee, only during the announcement period: signed in,
    or with an e-mail address to answer to."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("round")
        .filter(pk=award_id)
        .first()
    )
    if award is None or award.round.announced_at is None:
        raise CertificationError(_("There is no such proposed awardee."))
    selection = award.round
    if not selection.announcing():
        raise CertificationError(
            _("Objections are taken only during the announcement, %(start)s to %(end)s.")
            % {
                "start": selection.announce_from.isoformat(),
                "end": selection.announce_until.isoformat(),
            }
        )
    if award.status != Award.Status.PROPOSED:
        raise CertificationError(_("This person is no longer on the proposed list."))
    signed_in = bool(getattr(user, "is_authenticated", False))
    contact_email = (contact_email or "").strip()[:254]
    if not signed_in and not contact_email:
        raise CertificationError(_("Sign in, or give an e-mail address we can answer to."))
    reason = _clean(reason, limit=4000)
    if len(reason) < 10:
        raise CertificationError(_("Give your reason in at least 10 characters."))
    objection = Objection.objects.create(
        award=award,
        lodged_by=user if signed_in else None,
        contact_email=contact_email or (user.email if signed_in else ""),
        reason=reason,
    )
    audit_append(
        actor=user if signed_in else None,
        action="recognition.objection_lodged",
        obj=objection,
        data={"award": award.pk, "reason": reason},
    )
    return objection


@transaction.atomic
def objection_answer(*, objection_id: int, actor, answer: str, outcome: str) -> Objection:
    """An administrator answers an objection; upholding it takes the person off the list."""
    _admin_only(actor)
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("award__round", "award__nomination")
        .filter(pk=objection_id)
        .first()
    )
    if objection is None:
        raise CertificationError(_("There is no such objection."))
    award = objection.award
    if award.round.published_at is not None:
        raise CertificationError(_("The final list has been published."))
    if objection.answered_at is not None:
        raise CertificationError(_("This objection has already been answered."))
    if award.nomination.nominee_id == actor.pk:
        raise CertificationError(_("You cannot answer an objection to yourself."))
    answer = _clean(answer, limit=4000)
    if not answer:
        raise CertificationError(_("Write the answer the objector will read."))
    if outcome not in Objection.Outcome.values:
        raise CertificationError(_("Say whether the objection is upheld or dismissed."))
    objection.answer, objection.outcome = answer, outcome
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save(update_fields=["answer", "outcome", "answered_by", "answered_at"])
    entries = [
        ("recognition.objection_answered", objection, {"outcome": outcome, "answer": answer})
    ]
    if outcome == Objection.Outcome.UPHELD and award.status == Award.Status.PROPOSED:
        award.status = Award.Status.WITHDRAWN
        award.save(update_fields=["status"])
        entries.append(("recognition.award_withdrawn", award, {"objection": objection.pk}))
    audit_append_many(actor=actor, entries=entries)
    if objection.contact_email:
        mail_queue(
            to=objection.contact_email,
            subject=_("Your objection has been answered: %(round)s") % {"round": award.round.title},
            body_text="\n\n".join(
                [
                    _("Your objection to “%(name)s” has been %(outcome)s.")
                    % {"name": award.name, "outcome": objection.get_outcome_display()},
                    answer,
                    absolute_url(reverse("recognition_round", args=[award.round_id])),
                ]
            )
            + "\n",
        )
    return objection


@transaction.atomic
def round_publish(*, round_id: int, actor) -> list[Award]:
    """Publish the final list once the announcement has ended and every objection is answered;
    each awardee gets a signed credential and an e-mail."""
    from certification.recognition.credentials import award_credential_issue

    _admin_only(actor)
    selection = _locked_round(round_id)
    if selection.published_at is not None:
        raise CertificationError(_("The final list has already been published."))
    if selection.announced_at is None:
        raise CertificationError(_("Announce the proposed list first."))
    if timezone.localdate() <= selection.announce_until:
        raise CertificationError(
            _("The announcement runs until %(end)s; publish after it has ended.")
            % {"end": selection.announce_until.isoformat()}
        )
    unanswered = Objection.objects.filter(award__round=selection, answered_at=None).count()
    if unanswered:
        raise CertificationError(
            _("%(count)d objection(s) have no answer yet. Answer every objection first.")
            % {"count": unanswered}
        )
    awards = list(
        Award.objects.select_for_update(of=("self",))
        .filter(round=selection, status=Award.Status.PROPOSED)
        .select_related("nomination__nominee", "round__body")
        .order_by("rank")
    )
    now = timezone.now()
    for award in awards:
        award.status = Award.Status.AWARDED
        award.awarded_at = now
        award.save(update_fields=["status", "awarded_at"])
        award_credential_issue(award)
    selection.published_at = now
    selection.save(update_fields=["published_at"])
    audit_append_many(
        actor=actor,
        entries=[("recognition.published", selection, {"awards": [a.pk for a in awards]})]
        + [("recognition.awarded", award, {"number": award.number}) for award in awards],
    )
    for award in awards:
        notify(
            award.nomination.nominee,
            _("You have been awarded: %(round)s") % {"round": selection.title},
            [
                _("Congratulations. %(body)s has published the final list of %(round)s.")
                % {"body": selection.body.name, "round": selection.title},
                _("Your award no. %(number)s is a signed credential anyone can verify at:")
                % {"number": award.number},
                absolute_url(reverse("award_verify", args=[award.pk])),
                _("Download the credential for your wallet at:"),
                absolute_url(reverse("award_credential", args=[award.pk])),
            ],
        )
    return awards


@transaction.atomic
def award_revoke(*, award_id: int, actor, reason: str) -> Award:
    """An administrator revokes a published award (found later to rest on false evidence, say):
    its bit in the status list is set and the list signed again, so every verifier reads it as
    revoked; it leaves the public list and the registry; the awardee is told why."""
    from certification.credentials.models import StatusList
    from certification.credentials.status import status_list_sign

    _admin_only(actor)
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("round__body", "nomination__nominee")
        .filter(pk=award_id)
        .first()
    )
    if award is None:
        raise CertificationError(_("There is no such award."))
    if award.status != Award.Status.AWARDED:
        raise CertificationError(_("Only an award that has been published can be revoked."))
    if award.nomination.nominee_id == actor.pk:
        raise CertificationError(_("You cannot revoke your own award."))
    reason = _clean(reason, limit=500)
    if not reason:
        raise CertificationError(_("Give the reason for revoking; the awardee will read it."))
    award.status = Award.Status.REVOKED
    award.revoked_at, award.revocation_reason = timezone.now(), reason
    award.save(update_fields=["status", "revoked_at", "revocation_reason"])
    if award.status_list_id is not None:
        status_list_sign(
            StatusList.objects.select_for_update(of=("self",))
            .select_related("signing_key", "body")
            .get(pk=award.status_list_id)
        )
    audit_append(
        actor=actor,
        action="recognition.award_revoked",
        obj=award,
        data={"number": award.number, "reason": reason},
    )
    notify(
        award.nomination.nominee,
        _("Your award has been revoked: %(round)s") % {"round": award.round.title},
        [
            _("%(body)s has revoked your award no. %(number)s.")
            % {"body": award.round.body.name, "number": award.number},
            _("Reason: %(reason)s") % {"reason": reason},
            absolute_url(reverse("award_verify", args=[award.pk])),
        ],
    )
    return award
