"""Issuing a whole class at once: a run of items, dispatched in chunks to Celery, resumable."""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import is_own, may_certify, needs_two
from certification.applications.checklist import checklists
from certification.applications.models import Application
from certification.audit.chain import audit_append, audit_append_many
from certification.credentials.status import status_bits_allocate
from certification.errors import CertificationError
from certification.issuing.models import BulkIssue, BulkIssueItem, Certificate
from certification.issuing.numbers import numbering_body_for, numbers_allocate
from certification.issuing.services import (
    certificate_new,
    certificates_complete,
    photo_copy,
    photos_dropped_on_failure,
    unmet,
)
from certification.levels.models import CertifyingBody
from portal.accounts.storage import private_storage

logger = logging.getLogger(__name__)


def bulk_candidates(*, body: CertifyingBody, course_id: int | None):
    """A class's applications at ``body`` that a bulk run would issue."""
    return Application.objects.filter(
        body=body, course_id=course_id, status__in=Application.BULK_ISSUABLE
    )


@dataclass
class BulkCandidate:
    """One person a class run would consider, and what the run would do for them."""

    user_id: int
    name: str
    email: str
    application_id: int | None = None  # None: a class member the run enters for the level
    level_name: str = ""
    level_id: int | None = None
    outcome: str = "issue"  # "issue", "complete" (approved before) or "left_out"
    reasons: list[str] = field(default_factory=list)

    @property
    def left_out(self) -> bool:
        return self.outcome == "left_out"


def _unmet_lines(result) -> list[str]:
    return [
        _("%(label)s: needs %(required)s, has %(actual)s")
        % {"label": item.label, "required": item.required, "actual": item.actual}
        for item in result.missing
    ]


def class_level(*, body: CertifyingBody, course_id: int | None):
    """The level a training base's certifying body issues to a whole class of its own, or
    None: the class must be one of the body's base's, and the body must award the level the
    class trains for (the junior level, decided by one certifier without an identity check)."""
    from courses import api as courses_api

    if course_id is None or not body.training_base_id:
        return None
    reports = {r.course_id: r for r in courses_api.class_reports(base_id=body.training_base_id)}
    report = reports.get(course_id)
    if report is None:
        return None
    return (
        body.levels.filter(course_level=report.level, approvers_required__lt=2)
        .filter(requires_identity_check=False)
        .select_related("track", "prerequisite")
        .order_by("pk")
        .first()
    )


# Applications checked at a time when only one that can be issued is looked for.
PRECHECK_BATCH = 200


def bulk_precheck(
    *, body: CertifyingBody, course_id: int | None, actor, until_one_issuable: bool = False
) -> list[BulkCandidate]:
    """Everyone a run for the class would consider, with each unmet requirement and who is
    left out, before anything starts: the class's applications, and for a training base's
    own class, its members who have not applied (the run enters them for the level).

    With ``until_one_issuable`` (what starting a run needs: every application goes into the
    run, whose chunks check each again before approving it) the applications' requirements
    are checked in batches only until one can be issued; the others are listed unchecked.
    Class members who have not applied are always checked: only those who qualify are
    entered."""
    from django.contrib.auth import get_user_model

    from certification.applications.checklist import checklist as checklist_one
    from certification.applications.services import printed_name_clean
    from courses import api as courses_api

    candidates: list[BulkCandidate] = []
    applications = _with_shared_rows(
        bulk_candidates(body=body, course_id=course_id).select_related("applicant").order_by("pk"),
        body=body,
    )
    waiting: list[tuple[Application, BulkCandidate]] = []
    for application in applications:
        candidate = BulkCandidate(
            user_id=application.applicant_id,
            name=application.printed_name or application.applicant.real_name,
            email=application.applicant.email,
            application_id=application.pk,
            level_name=str(application.level.name),
            level_id=application.level_id,
        )
        candidates.append(candidate)
        if application.status == Application.Status.APPROVED:
            candidate.outcome = "complete"
        elif is_own(actor, application.applicant_id):
            candidate.reasons.append(
                _("Your own application: another certifier of %(body)s decides it.")
                % {"body": body.name}
            )
        elif needs_two(application):
            candidate.reasons.append(
                _("%(level)s is approved by two certifiers, one by one.")
                % {"level": application.level.name}
            )
        elif application.level.requires_identity_check:
            candidate.reasons.append(
                _("%(level)s requires an identity check on its own page.")
                % {"level": application.level.name}
            )
        else:
            waiting.append((application, candidate))
    found = until_one_issuable and any(c.outcome == "complete" for c in candidates)
    for group in _grouped(waiting, key=lambda pair: pair[0].level_id):
        step = PRECHECK_BATCH if until_one_issuable else len(group)
        for start in range(0, len(group), step):
            if found:
                break
            batch = group[start : start + step]
            results = checklists(
                level=batch[0][0].level, people=[(a.applicant_id, a) for a, _c in batch]
            )
            for (_application, candidate), result in zip(batch, results, strict=True):
                candidate.reasons.extend(_unmet_lines(result))
            found = until_one_issuable and any(not c.reasons for _a, c in batch)
    level = class_level(body=body, course_id=course_id)
    if level is not None:
        applied = {c.user_id for c in candidates}
        holding = set(
            Application.objects.filter(level=level)
            .filter(status__in=[*Application.OPEN, Application.Status.ISSUED])
            .values_list("applicant_id", flat=True)
        )
        member_ids = [
            pk
            for pk in courses_api.class_member_ids(course_id=course_id)
            if pk not in applied and pk not in holding
        ]
        people = get_user_model().objects.in_bulk(member_ids)
        for pk in member_ids:
            person = people[pk]
            candidate = BulkCandidate(
                user_id=pk,
                name=person.real_name or person.email,
                email=person.email,
                level_name=str(level.name),
                level_id=level.pk,
            )
            candidates.append(candidate)
            if is_own(actor, pk):
                candidate.reasons.append(
                    _("You are a member of this class: another certifier of %(body)s decides.")
                    % {"body": body.name}
                )
                continue
            try:
                printed_name_clean(person.real_name)
            except CertificationError as error:
                candidate.reasons.append(
                    _("No name to print on the account (%(error)s)") % {"error": error}
                )
            candidate.reasons.extend(_unmet_lines(checklist_one(user_id=pk, level=level)))
    for candidate in candidates:
        if candidate.reasons:
            candidate.outcome = "left_out"
    return candidates


def _with_shared_rows(applications, *, body: CertifyingBody) -> list[Application]:
    """The applications, each given its level (with track and prerequisite), ``body`` and
    the certificate it renews from one read of each: a class's thousands of applications
    share one level and body, which ``select_related`` would build again for every row."""
    from certification.levels.models import CertificationLevel

    applications = list(applications)
    levels = CertificationLevel.objects.select_related("track", "prerequisite").in_bulk(
        {a.level_id for a in applications}
    )
    renewed = Certificate.objects.in_bulk({a.renews_id for a in applications if a.renews_id})
    for application in applications:
        application.level = levels[application.level_id]
        application.body = body
        if application.renews_id:
            application.renews = renewed[application.renews_id]
    return applications


def _members_enter(*, body, course_id, actor, candidates) -> list[int]:
    """Enter the class members the pre-check found eligible for the class's level: one
    submitted application each, in the member's name, recorded as made by ``actor`` for the
    class run (the run then decides it; the member decides nothing, nor does anyone decide
    their own). Returns their ids. Call inside the run's transaction."""
    from certification.applications.checklist import checklist as checklist_one

    level = class_level(body=body, course_id=course_id)
    entering = [c for c in candidates if c.application_id is None and not c.left_out]
    if level is None or not entering:
        return []
    now = timezone.now()
    made = []
    for candidate in entering:
        application = Application.objects.create(
            applicant_id=candidate.user_id,
            level=level,
            body=body,
            course_id=course_id,
            status=Application.Status.SUBMITTED,
            printed_name=candidate.name,
            submitted_at=now,
            checklist=checklist_one(user_id=candidate.user_id, level=level).as_json(),
        )
        made.append(application)
    audit_append_many(
        actor=actor,
        entries=[("application.entered_for_class", a, {"course": course_id}) for a in made],
    )
    return [a.pk for a in made]


def _refuse_if_class_under_way(*, body_id: int, course_id: int | None, other_than=None) -> None:
    """Lock the body's row, then refuse with ``BulkIssueUnderWay`` if a run for the same class
    (other than ``other_than``) is still unfinished. Call inside a transaction."""
    CertifyingBody.objects.select_for_update(of=("self",)).filter(pk=body_id).first()
    unfinished = (
        BulkIssue.objects.filter(
            body_id=body_id, course_id=course_id, status=BulkIssue.Status.RUNNING
        )
        .exclude(pk=other_than)
        .order_by("created_at", "pk")
        .first()
    )
    if unfinished is not None:
        raise BulkIssueUnderWay(
            _(
                "This class is already being issued (run “%(title)s”, started at %(when)s). "
                "Follow that run here; a new one can start once it has finished."
            )
            % {
                "title": unfinished.title,
                "when": timezone.localtime(unfinished.created_at).strftime("%Y-%m-%d %H:%M"),
            },
            run=unfinished,
        )


class BulkIssueUnderWay(CertificationError):
    """A run for the same body and class is still unfinished; ``run`` is that run."""

    def __init__(self, message: str, *, run: BulkIssue):
        super().__init__(message)
        self.run = run


@transaction.atomic
def bulk_issue_start(*, body: CertifyingBody, course_id: int | None, actor, title: str):
    """Start issuing a class, unless a run for the same body and class is still unfinished
    (a double click, two certifiers at once): that is refused with ``BulkIssueUnderWay``.

    The body's row is locked first, so of two concurrent starts the second waits, then sees
    the first one's run."""
    if not may_certify(actor, body.pk):
        raise CertificationError(_("You do not issue for this body."))
    _refuse_if_class_under_way(body_id=body.pk, course_id=course_id)
    candidates = bulk_precheck(body=body, course_id=course_id, actor=actor, until_one_issuable=True)
    if not any(not c.left_out for c in candidates):
        # Nothing would be issued: say so before starting, instead of a run where all fail.
        raise CertificationError(
            _("Nobody in this class can be issued now; the reasons are listed for each person.")
            if candidates
            else _("This class has no applications ready to issue.")
        )
    application_ids = [c.application_id for c in candidates if c.application_id is not None]
    application_ids += _members_enter(
        body=body, course_id=course_id, actor=actor, candidates=candidates
    )
    run = BulkIssue.objects.create(
        body=body, course_id=course_id, title=title, started_by=actor, total=len(application_ids)
    )
    _items_create(run, application_ids)
    audit_append(
        actor=actor,
        action="bulk_issue.started",
        obj=run,
        data={"applications": len(application_ids)},
    )
    transaction.on_commit(lambda: _bulk_issue_dispatch_or_leave(run.pk))
    return run


def _items_create(run: BulkIssue, application_ids: list[int]) -> None:
    """The run's items, queued: on PostgreSQL in one statement that makes no model objects
    (a class of 10,000 spent about a second on them, before any certificate was issued)."""
    if connection.vendor != "postgresql":
        BulkIssueItem.objects.bulk_create(
            [BulkIssueItem(run=run, application_id=pk) for pk in application_ids],
            batch_size=2000,
        )
        return
    table = connection.ops.quote_name(BulkIssueItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (run_id, application_id, status, error, updated_at) "  # noqa: S608
            "SELECT %s, unnest(%s::bigint[]), %s, '', %s",
            [run.pk, list(application_ids), BulkIssueItem.Status.QUEUED, timezone.now()],
        )


def _bulk_issue_dispatch_or_leave(run_id: int) -> None:
    """Queue a new run; when the broker is down the run stays queued (the certifier's start
    stands) and is resumed like a stalled one: from its page, or by Celery beat."""
    try:
        bulk_issue_dispatch(run_id=run_id)
    except Exception:
        logger.exception("Bulk issue %s could not be queued; it will be resumed", run_id)


BULK_CHUNK = 100


def bulk_issue_dispatch(*, run_id: int, only_failed: bool = False) -> int:
    """Queue the run's unfinished items in chunks, so several workers share the work."""
    from certification.tasks import bulk_issue_chunk_task

    items = BulkIssueItem.objects.filter(run_id=run_id)
    if only_failed:
        # Trying a finished run's failures again makes it run again: not while another run of
        # the same class is under way.
        with transaction.atomic():
            run = BulkIssue.objects.only("body_id", "course_id").get(pk=run_id)
            _refuse_if_class_under_way(
                body_id=run.body_id, course_id=run.course_id, other_than=run_id
            )
            items.filter(status=BulkIssueItem.Status.FAILED).update(
                status=BulkIssueItem.Status.QUEUED, error=""
            )
            BulkIssue.objects.filter(pk=run_id).update(status=BulkIssue.Status.RUNNING)
    pending = list(
        items.filter(status=BulkIssueItem.Status.QUEUED).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pending), BULK_CHUNK):
        bulk_issue_chunk_task.delay(run_id, pending[start : start + BULK_CHUNK])
    if not pending:
        _bulk_finish_if_done(run_id)
    return len(pending)


def bulk_issue_chunk(*, run_id: int, item_ids: list[int]) -> None:
    """Issue a chunk of a run's items: one approval transaction for all of them, then the PDFs
    and credentials, then one transaction marking them issued. Items already done are skipped
    and applications already approved have their certificate finished, so a chunk delivered
    twice (a retry, a worker that died) issues nothing twice."""
    run = BulkIssue.objects.select_related("started_by", "body").get(pk=run_id)
    items = list(
        BulkIssueItem.objects.filter(pk__in=item_ids, status=BulkIssueItem.Status.QUEUED).order_by(
            "pk"
        )
    )
    if items:
        certificate_of, failed = _bulk_approve(run=run, items=items)
        try:
            unmade = certificates_complete(certificate_ids=list(certificate_of.values()))
        except Exception as exc:
            logger.exception("Bulk issue %s: a chunk could not be completed", run_id)
            unmade = dict.fromkeys(certificate_of.values(), exc)
        for item_id, certificate_id in certificate_of.items():
            if certificate_id in unmade:
                error = unmade[certificate_id]  # shown to the certifier on the run's page
                failed[item_id] = _("Could not be issued (%(error)s); retry later.") % {
                    "error": f"{type(error).__name__}: {error}"[:300]
                }
        now = timezone.now()
        done = [item_id for item_id in certificate_of if item_id not in failed]
        BulkIssueItem.objects.filter(pk__in=done).update(
            status=BulkIssueItem.Status.DONE, error="", updated_at=now
        )
        for item_id, error in failed.items():
            _bulk_item_mark(item_id, BulkIssueItem.Status.FAILED, error)
    _bulk_finish_if_done(run_id)


def _bulk_approve(*, run: BulkIssue, items: list) -> tuple[dict[int, int], dict[int, str]]:
    """Approve a chunk's applications in one transaction. Returns the certificate id of each
    item approved now or before, and the reason each other item failed."""
    application_ids = [item.application_id for item in items]
    item_of = {item.application_id: item.pk for item in items}
    certificate_of: dict[int, int] = {}
    failed: dict[int, str] = {}
    actor = run.started_by
    if not may_certify(actor, run.body_id):
        message = _("You do not review applications for this body.")
        return {}, dict.fromkeys(item_of.values(), message)
    # Photos are copied before any lock is taken; unused copies are deleted below.
    waiting = Application.objects.filter(
        pk__in=application_ids, status__in=Application.AWAITING_DECISION
    ).select_related("applicant")
    photos = {application.pk: photo_copy(application.applicant) for application in waiting}
    with photos_dropped_on_failure(photos.values()), transaction.atomic():
        applications = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("level__track", "level__prerequisite", "body", "renews")
            .filter(pk__in=application_ids)
            .order_by("pk")
        )
        existing = dict(
            Certificate.objects.filter(application_id__in=application_ids).values_list(
                "application_id", "pk"
            )
        )
        to_approve = []
        for application in applications:
            item_id = item_of[application.pk]
            if application.pk in existing:  # approved before: finish its certificate
                certificate_of[item_id] = existing[application.pk]
            elif application.status not in Application.AWAITING_DECISION:
                failed[item_id] = _("The application is %(status)s and cannot be issued.") % {
                    "status": application.get_status_display()
                }
            elif is_own(actor, application.applicant_id):
                failed[item_id] = _(
                    "This is the application of the person who started the run; another "
                    "certifier of %(body)s must decide it on its own page."
                ) % {"body": application.body.name}
            elif needs_two(application):
                failed[item_id] = _(
                    "%(level)s is approved by two certifiers, which a class run cannot do; "
                    "approve it on its own page and have a second certifier confirm it."
                ) % {"level": application.level.name}
            elif application.level.requires_identity_check:
                failed[item_id] = _(
                    "%(level)s requires an identity check, which a class run cannot do; "
                    "approve it on its own page after checking the identity document."
                ) % {"level": application.level.name}
            else:
                to_approve.append(application)
        for missing_id in set(application_ids) - {a.pk for a in applications}:
            failed[item_of[missing_id]] = _("The application no longer exists.")
        approved = []
        for group in _grouped(to_approve, key=lambda a: a.level_id):
            results = checklists(level=group[0].level, people=[(a.applicant_id, a) for a in group])
            for application, result in zip(group, results, strict=True):
                if result.met:
                    approved.append(application)
                else:
                    failed[item_of[application.pk]] = unmet(result)
        today, now = timezone.localdate(), timezone.now()
        made = []
        for group in _grouped(approved, key=lambda a: (a.level_id, a.body_id)):
            try:
                with transaction.atomic():
                    made.extend(_approve_group(group, today=today, photos=photos))
            except CertificationError as exc:
                for application in group:
                    failed[item_of[application.pk]] = str(exc)
        if made:
            Certificate.objects.bulk_create(made)
            Application.objects.filter(pk__in=[c.application_id for c in made]).update(
                status=Application.Status.APPROVED, reviewer=actor, decided_at=now
            )
            audit_append_many(
                actor=actor,
                entries=[
                    ("application.approved", c.application, {"certificate": c.number}) for c in made
                ],
            )
        for certificate in made:
            certificate_of[item_of[certificate.application_id]] = certificate.pk
    used = {c.photo.name for c in made}
    for name in set(photos.values()) - used - {""}:
        private_storage().delete(name)
    return certificate_of, failed


def _grouped(rows, *, key) -> list[list]:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return list(groups.values())


def _approve_group(applications: list[Application], *, today, photos) -> list[Certificate]:
    """Unsaved certificates for applications of one level at one body, with consecutive
    numbers and status bits taken in one step each."""
    level, body = applications[0].level, applications[0].body
    numbering = numbering_body_for(body=body, level=level)
    count = len(applications)
    first = numbers_allocate(body=numbering, level=level, year=today.year, count=count)
    bits = status_bits_allocate(body=body, count=count)
    return [
        certificate_new(
            application,
            numbering=numbering,
            sequence=first + offset,
            bit=bits[offset],
            today=today,
            photo=photos.get(application.pk, ""),
        )
        for offset, application in enumerate(applications)
    ]


def _bulk_item_mark(item_id: int, status: str, error: str) -> None:
    BulkIssueItem.objects.filter(pk=item_id).update(
        status=status, error=error[:1000], updated_at=timezone.now()
    )


# A run is stalled when none of its items has moved for this long while some still wait:
# the worker holding a chunk died and the broker will not hand the chunk out again soon
# (Redis redelivers unacknowledged work only after its visibility timeout, an hour).
BULK_STALLED_AFTER = datetime.timedelta(minutes=2)


BULK_RESUMED_AFTER = datetime.timedelta(minutes=10)  # by Celery beat, without anyone asking


def bulk_issue_idle_for(run: BulkIssue) -> datetime.timedelta | None:
    """How long a running run has made no progress, or None if finished or nothing waits."""
    if run.status != BulkIssue.Status.RUNNING:
        return None
    items = BulkIssueItem.objects.filter(run=run).order_by()
    if not items.filter(status=BulkIssueItem.Status.QUEUED).exists():
        return None
    last = items.aggregate(last=Max("updated_at"))["last"]
    return timezone.now() - max(filter(None, [last, run.created_at]))


def bulk_issue_resume(*, run_id: int) -> int:
    """Queue a run's waiting items again. Safe while the first chunks are still somewhere:
    a chunk skips what is done and finishes what is half done, so nothing is issued twice."""
    BulkIssueItem.objects.filter(run_id=run_id, status=BulkIssueItem.Status.QUEUED).update(
        updated_at=timezone.now()
    )
    return bulk_issue_dispatch(run_id=run_id)


def bulk_issue_resume_stalled(*, idle: datetime.timedelta = BULK_RESUMED_AFTER) -> list[int]:
    """Resume every run that has made no progress for ``idle``; returns their ids."""
    cutoff = timezone.now() - idle
    stalled = list(
        BulkIssue.objects.filter(status=BulkIssue.Status.RUNNING)
        .annotate(
            last=Max("items__updated_at"),
            waiting=Count("items", filter=Q(items__status=BulkIssueItem.Status.QUEUED)),
        )
        .filter(waiting__gt=0, last__lt=cutoff)
        .values_list("pk", flat=True)
    )
    for run_id in stalled:
        logger.warning("Bulk issue %s made no progress for %s; queued again", run_id, idle)
        bulk_issue_resume(run_id=run_id)
    return stalled


def _bulk_finish_if_done(run_id: int) -> None:
    if not BulkIssueItem.objects.filter(run_id=run_id, status=BulkIssueItem.Status.QUEUED).exists():
        BulkIssue.objects.filter(pk=run_id, status=BulkIssue.Status.RUNNING).update(
            status=BulkIssue.Status.FINISHED, finished_at=timezone.now()
        )
