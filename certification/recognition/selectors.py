"""Reads of selection rounds: the ranking, a reviewer's work, the public lists, and who may
see a nomination's evidence."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlparse

from django.db.models import Q

from certification.recognition.models import (
    Award,
    Nomination,
    Review,
    Reviewer,
    SelectionRound,
)
from certification.recognition.organisations import shared_organisation
from certification.recognition.services import is_recognition_admin


@dataclass
class RankingRow:
    nomination: Nomination
    average: Decimal
    reviews: int  # scored reviews
    conflicts: int  # reviewers who stood aside
    rank: int = 0


def ranking(selection: SelectionRound) -> list[RankingRow]:
    """Submitted nominations by the average of their reviewers' weighted scores (0–100),
    highest first; ties go to more reviews, then the earlier nomination. Unscored last."""
    nominations = (
        Nomination.objects.filter(round=selection, status=Nomination.Status.SUBMITTED)
        .select_related("nominee", "certificate")
        .prefetch_related("reviews")
    )
    rows = []
    for nomination in nominations:
        scored = [r.weighted for r in nomination.reviews.all() if not r.conflict]
        average = (
            (sum(scored) / len(scored)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if scored
            else Decimal("0.00")
        )
        conflicts = sum(1 for r in nomination.reviews.all() if r.conflict)
        rows.append(RankingRow(nomination, average, len(scored), conflicts))
    rows.sort(key=lambda row: (-bool(row.reviews), -row.average, -row.reviews, row.nomination.pk))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows


def rounds_public():
    """Rounds anyone may look at: all of them (their windows and criteria are public)."""
    return SelectionRound.objects.all()


def rounds_open_for_nomination():
    return [selection for selection in SelectionRound.objects.all() if selection.nominations_open()]


def panel_rounds(user):
    return SelectionRound.objects.filter(reviewers__user=user).distinct()


def is_panel_member(user, selection) -> bool:
    return Reviewer.objects.filter(round=selection, user_id=user.pk).exists()


def my_review(user, nomination) -> Review | None:
    return Review.objects.filter(nomination=nomination, reviewer_id=user.pk).first()


def nominations_of(user):
    """Nominations naming ``user``, or made by them."""
    return (
        Nomination.objects.filter(Q(nominee=user) | Q(nominated_by=user))
        .select_related("round", "certificate", "nominee")
        .prefetch_related("practice_records", "evidence")
        .order_by("-pk")
    )


def panel_may_read(user, nomination) -> bool:
    """A panel member reads a nomination's statement, records and evidence only while they may
    score it or after they have scored it: not when they stood aside with a declared conflict,
    nor when they are refused it (their own organisation's nominee, one they nominated)."""
    if not is_panel_member(user, nomination.round):
        return False
    review = my_review(user, nomination)
    if review is not None:
        return not review.conflict
    return nomination.nominated_by_id != user.pk and not shared_organisation(user, nomination)


def may_see_nomination(user, nomination) -> bool:
    """The nominee, whoever nominated, the panel members who may read it, and administrators."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk in (nomination.nominee_id, nomination.nominated_by_id):
        return True
    return is_recognition_admin(user) or panel_may_read(user, nomination)


def proposed_list(selection):
    return Award.objects.filter(round=selection).exclude(status=Award.Status.WITHDRAWN)


def final_list(selection):
    if selection.published_at is None:
        return Award.objects.none()
    return Award.objects.filter(round=selection, status=Award.Status.AWARDED).order_by("rank")


@dataclass(frozen=True)
class AwardShown:
    """What the registry says of an award: the round and where to verify it."""

    award_id: int
    title: str
    year: int
    number: str


def awards_of_users(user_ids) -> dict[int, list[AwardShown]]:
    """Published awards per person, in one query (the registry shows them on entries)."""
    rows = (
        Award.objects.filter(
            nomination__nominee_id__in=list(user_ids),
            status=Award.Status.AWARDED,
            round__published_at__isnull=False,
        )
        .select_related("round")
        .values_list("pk", "round__title", "round__year", "nomination__nominee_id")
        .order_by("-round__year", "pk")
    )
    shown: dict[int, list[AwardShown]] = {}
    for pk, title, year, person in rows:
        shown.setdefault(person, []).append(AwardShown(pk, title, year, f"RA-{year}-{pk:04d}"))
    return shown


AWARD_CREDENTIAL_PATH = re.compile(r"/recognition/awards/(\d{1,9})/credential\.json")


def award_for_credential(document: dict) -> Award | None:
    """The published award (in force or since revoked) a credential, whose signature has been
    checked, names by its id, if its proof is by the awarding body's did:web; None otherwise."""
    from certification.credentials.did import body_did
    from certification.credentials.vc.keys import did_from_verification_method

    identifier = document.get("id")
    if not isinstance(identifier, str):
        return None
    match = AWARD_CREDENTIAL_PATH.fullmatch(urlparse(identifier).path)
    if match is None:
        return None
    award = (
        Award.objects.filter(
            pk=int(match.group(1)),
            status__in=Award.PUBLIC_STATUSES,
            round__published_at__isnull=False,
        )
        .select_related("round__body")
        .first()
    )
    if award is None or not award.credential:
        return None
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    methods = {
        did_from_verification_method(proof["verificationMethod"])
        for proof in proofs
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str)
    }
    return award if body_did(award.round.body) in methods else None
