"""Writes: a holder submits their filing; a national officer reviews, files or returns it; the
filed people are evaluated each year. Every step is in the audit log; nobody acts on their own."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import is_filing_officer, is_own
from certification.audit.chain import audit_append
from certification.errors import CertificationError
from certification.filing.models import TalentEvaluation, TalentFiling
from certification.filing.rules import grade_of, rule_in_force
from certification.filing.selectors import evaluation_figures, filing_certificate
from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.lifecycle.services import certificates_file
from certification.mail import notify
from portal.accounts.names import text_clean

EARLIEST_YEAR = 2017  # the national plan's talent goals count from 2017


def _clean(value: str, limit: int) -> str:
    try:
        return text_clean((value or "").strip())[:limit]
    except Exception as error:  # ValidationError: invisible or control characters
        raise CertificationError(" ".join(getattr(error, "messages", [str(error)]))) from error


@transaction.atomic
def filing_submit(*, person, organisation: str, specialties: str, statement: str) -> TalentFiling:
    """Submit (or, once returned, resubmit) one's filing with the national body."""
    certificate = filing_certificate(user_id=person.pk)
    if certificate is None:
        raise CertificationError(
            _(
                "Filing is for holders of a valid certificate of a level filed by the national "
                "body (intermediate or senior)."
            )
        )
    organisation = _clean(organisation, 200)
    statement = _clean(statement, 4000)
    if not organisation or not statement:
        raise CertificationError(_("Give your organisation and a statement of your practice."))
    filing = TalentFiling.objects.select_for_update().filter(person=person).first()
    if filing is not None and filing.status != TalentFiling.Status.RETURNED:
        raise CertificationError(
            _("Your filing is already %(status)s.") % {"status": filing.get_status_display()}
        )
    filing = filing or TalentFiling(person=person)
    filing.certificate = certificate
    filing.organisation = organisation
    filing.specialties = _clean(specialties, 300)
    filing.statement = statement
    filing.status = TalentFiling.Status.SUBMITTED
    filing.submitted_at = timezone.now()
    filing.save()
    audit_append(
        actor=person,
        action="filing.submitted",
        obj=filing,
        data={"certificate": certificate.number},
    )
    return filing


def _officer_locked(filing_id: int, actor) -> TalentFiling:
    if not is_filing_officer(actor):
        raise CertificationError(_("Only officers of the national body review filings."))
    filing = (
        TalentFiling.objects.select_for_update(of=("self",))
        .select_related("person", "certificate")
        .get(pk=filing_id)
    )
    if is_own(actor, filing.person_id):
        raise CertificationError(
            _("You cannot review your own filing. Another officer of the national body must.")
        )
    return filing


@transaction.atomic
def filing_review_start(*, filing_id: int, actor) -> TalentFiling:
    filing = _officer_locked(filing_id, actor)
    if filing.status != TalentFiling.Status.SUBMITTED:
        raise CertificationError(_("Only a submitted filing can be taken for review."))
    filing.status = TalentFiling.Status.REVIEW
    filing.reviewer = actor
    filing.reviewed_at = timezone.now()
    filing.save(update_fields=["status", "reviewer", "reviewed_at"])
    audit_append(actor=actor, action="filing.review_started", obj=filing)
    return filing


@transaction.atomic
def filing_decide(
    *, filing_id: int, actor, file: bool, comment: str = "", reference: str = ""
) -> TalentFiling:
    """File the person (with the national reference; their certificate is filed too if it
    still awaits filing), or return the filing with comments for them to change."""
    filing = _officer_locked(filing_id, actor)
    if filing.status != TalentFiling.Status.REVIEW:
        raise CertificationError(_("Take the filing for review before deciding on it."))
    comment = _clean(comment, 2000)
    reference = _clean(reference, 60)
    if file:
        if not reference:
            raise CertificationError(_("Enter the filing reference."))
        certificate = filing.certificate
        if certificate.effective_status() != Certificate.Status.VALID:
            raise CertificationError(
                _("The certificate %(number)s is no longer valid; return the filing instead.")
                % {"number": certificate.number}
            )
        if certificate.filing_status == Certificate.Filing.PENDING:
            certificates_file(certificate_ids=[certificate.pk], actor=actor, reference=reference)
        filing.status = TalentFiling.Status.FILED
        filing.reference = reference
        filing.filed_at = timezone.now()
    else:
        if not comment:
            raise CertificationError(_("Say what must change; the holder will read it."))
        filing.status = TalentFiling.Status.RETURNED
    filing.comment = comment
    filing.reviewer = actor
    filing.reviewed_at = timezone.now()
    filing.save()
    audit_append(
        actor=actor,
        action=f"filing.{filing.status}",
        obj=filing,
        data={"comment": comment, "reference": reference},
    )
    notify(
        filing.person,
        _("Your talent filing: %(status)s") % {"status": filing.get_status_display()},
        [comment, reference and _("Filing reference: %(ref)s") % {"ref": reference}],
    )
    return filing


def evaluation_year_problem(year) -> str:
    today = timezone.localdate()
    if not isinstance(year, int) or year < EARLIEST_YEAR or year > today.year:
        return _("Choose a year from %(first)d to %(last)d.") % {
            "first": EARLIEST_YEAR,
            "last": today.year,
        }
    return ""


@transaction.atomic
def evaluations_run(*, year: int, actor) -> dict:
    """Evaluate every filed person for ``year`` by the rule in force (re-running replaces the
    year's evaluations, each change audited). Officers are never graded by themselves."""
    if not is_filing_officer(actor):
        raise CertificationError(_("Only officers of the national body evaluate filed talent."))
    problem = evaluation_year_problem(year)
    if problem:
        raise CertificationError(problem)
    rule = rule_in_force()
    counts = {"evaluated": 0, "skipped_own": 0}
    filings = TalentFiling.objects.filter(status=TalentFiling.Status.FILED).order_by("pk")
    for filing in filings.select_for_update(of=("self",)):
        if is_own(actor, filing.person_id):
            counts["skipped_own"] += 1
            continue
        figures = evaluation_figures(user_id=filing.person_id, year=year)
        scores, total, grade, capped = grade_of(figures, rule)
        evaluation, _created = TalentEvaluation.objects.update_or_create(
            filing=filing,
            year=year,
            defaults={
                "figures": figures,
                "scores": scores,
                "rule": rule,
                "total": total,
                "grade": grade,
                "capped": capped,
                "evaluated_by": actor,
                "evaluated_at": timezone.now(),
            },
        )
        audit_append(
            actor=actor,
            action="filing.evaluated",
            obj=evaluation,
            data={"year": year, "total": str(total), "grade": grade, "figures": figures},
        )
        counts["evaluated"] += 1
    return counts


def evaluation_reminders_send(*, today=None) -> int:
    """In January, tell the national body's officers when last year's evaluation of filed talent
    has not been run yet. Once a year at most (the cache remembers the year it was sent for),
    and never when nobody is filed or the year is already evaluated. Returns mails queued."""
    year = (today or timezone.localdate()).year - 1
    filed = TalentFiling.objects.filter(status=TalentFiling.Status.FILED)
    if not filed.exists() or TalentEvaluation.objects.filter(year=year).exists():
        return 0
    if not cache.add(f"filing:evaluation-reminder:{year}", True, timeout=60 * 60 * 24 * 60):
        return 0
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("certify_talent_filing") + "#evaluation"
    officers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            certifying_bodies__kind=CertifyingBody.Kind.NATIONAL,
        )
        .distinct()
        .order_by("pk")
    )
    count = 0
    for officer in officers:
        notify(
            officer,
            _("The %(year)d evaluation of filed talent is due") % {"year": year},
            [
                _("%(count)d filed people await their evaluation for %(year)d.")
                % {"count": filed.count(), "year": year},
                _("Run it on the talent filing page: %(link)s") % {"link": link},
            ],
        )
        count += 1
    return count
