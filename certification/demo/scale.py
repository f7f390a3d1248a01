"""Certified people in bulk for ``seed_demo --scale``: careers, applications and certificates.

Each seeded person gets a career drawn from a generator seeded with their number, so person 17
is the same whatever the number asked for: a junior certificate from the training base of their
region, issued in a year between 2017 and now (more each year, as the national count grew from a
few thousand a year to tens of thousands), the training and exams before it; for some, an
intermediate certificate a year or more later and a senior one two years after that (both from
the national body, which numbers and files them); renewals near expiry for some, expiry for
the rest, now and then a revocation. One person in a thousand has an intermediate application
still waiting for review.

The certificates are synthetic and say so: no PDF, no signed credential (``pdf``,
``pdf_sha256`` and ``credential`` are empty), and their applications' checklist snapshot is
``{"synthetic": ...}`` rather than a check made at submission. Everything else holds as for a
certificate issued here: numbers are unique and gap-free per numbering body, level and year and
taken from the same ``NumberSequence`` rows (issuing later continues after them), status-list
bits come from the body's status lists as issuing takes them, and every certificate has its
approved, issued application.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone

from certification.applications.models import Application
from certification.credentials.models import StatusList
from certification.credentials.status import status_bits_allocate, status_list_sign
from certification.issuing.models import Certificate
from certification.issuing.numbers import number_format, numbering_body_for, numbers_allocate
from certification.issuing.services import _valid_until, rows_update
from certification.issuing.statement import requirements_snapshot
from certification.levels.models import CertificationLevel, CertifyingBody
from cms.taxonomy import SeededLevels
from courses.demo_scale import Study, dates_as_given
from portal.accounts.demo import ScaleTrainee

# Junior certificates issued per year, relative: from a few thousand a year in 2017 to tens of
# thousands now (at 100,000 people). Years after the last listed keep its weight.
YEAR_WEIGHTS = {
    2017: 2,
    2018: 3,
    2019: 5,
    2020: 7,
    2021: 9,
    2022: 11,
    2023: 13,
    2024: 15,
    2025: 17,
    2026: 18,
}
INTERMEDIATE_CHANCE = 0.45  # of juniors who go on to train for intermediate
SENIOR_CHANCE = 0.56  # of intermediates who go on to train for senior
EXAM_FAILED_CHANCE = 0.12  # a higher level's training that ends in a failed final exam
RENEWAL_CHANCE = 0.4
REVOCATION_CHANCE = 0.005
WAITING_EVERY, WAITING_AT = 1000, 7  # person 7, 1007, 2007…: an application waiting for review
BATCH = 5000

# Which demo base a province's people train at, by the base's short code; the rest of the
# country is spread over all of them.
REGIONS = {
    "GD-HN": {"35", "36", "42", "43", "44", "45", "46", "81", "82"},
    "SH-CSJ": {"11", "12", "13", "21", "22", "23", "31", "32", "33", "34", "37"},
    "SC-XB": {"14", "15", "41", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"},
}
# (public code, the certifier's internal note): the public sees only the code's label.
REVOCATION_REASONS = [
    ("holder_request", "持证人申请注销证书。"),
    ("misconduct", "经核查，申请时提交的工作经历证明与事实不符。"),
    ("misconduct", "持证人违反技术转移从业人员职业道德规范，经调查属实。"),
    ("issued_in_error", "培训学时记录经复核存在代学情况，不符合颁证条件。"),
]
SYNTHETIC = {"synthetic": "seed_demo --scale: no PDF, no signed credential"}

# The broker ladder this demo draws careers on, lowest first (codes as cms 0011 seeds them).
LADDER = (
    SeededLevels.JUNIOR_BROKER,
    SeededLevels.INTERMEDIATE_BROKER,
    SeededLevels.SENIOR_MANAGER,
)


@dataclass
class Award:
    """A certificate a person was issued, and the application behind it."""

    level: CertificationLevel
    body: CertifyingBody
    issued_at: datetime.datetime
    submitted_at: datetime.datetime
    experience_years: Decimal
    held_since: datetime.date
    salt: str
    renews: "Award | None" = None
    renewed_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None
    revocation_code: str = ""
    revocation_reason: str = ""
    plan: "Plan | None" = None
    # Filled in when written.
    numbering: CertifyingBody | None = None
    sequence: int = 0
    bit: tuple | None = None
    certificate_id: int | None = None

    @property
    def issued_on(self) -> datetime.date:
        return timezone.localdate(self.issued_at)

    @property
    def generation(self) -> int:
        return 0 if self.renews is None else self.renews.generation + 1


@dataclass
class Plan:
    """One seeded person's career: the classes they took, what they were awarded, and an
    application still waiting for review, if any."""

    trainee: ScaleTrainee
    base_id: int
    joined_at: datetime.datetime
    studies: list[Study] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    waiting: Award | None = None
    user_id: int | None = None


@dataclass
class CertificationResult:
    certificates: int = 0
    applications: int = 0
    waiting: int = 0
    revoked: int = 0


@dataclass(frozen=True)
class Setting:
    """What careers are drawn against: the bases, their bodies, the levels, and today."""

    bases: list  # (base id, short code)
    base_body: dict  # base id -> CertifyingBody awarding junior
    national: CertifyingBody
    levels: dict  # course level -> CertificationLevel
    now: datetime.datetime

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)


def setting_for(bases, *, now=None) -> Setting:
    """The bodies and levels of the demo bases, as ``seed_bodies`` made them."""
    levels = {
        level.course_level_id: level
        for level in CertificationLevel.objects.select_related("track").filter(
            code__in=LADDER, course_level__in=LADDER
        )
    }
    national = (
        CertifyingBody.objects.filter(kind=CertifyingBody.Kind.NATIONAL, is_active=True)
        .order_by("pk")
        .first()
    )
    base_body = {
        base.pk: CertifyingBody.objects.filter(
            training_base=base, is_active=True, levels__code=SeededLevels.JUNIOR_BROKER
        )
        .order_by("pk")
        .first()
        for base in bases
    }
    if national is None or None in base_body.values() or len(levels) != len(LADDER):
        raise ValueError("Seed the certifying bodies and the ladder before seeding at scale.")
    return Setting(
        bases=[(base.pk, base.short_code) for base in bases],
        base_body=base_body,
        national=national,
        levels=levels,
        now=now or timezone.now(),
    )


# -- careers ---------------------------------------------------------------------------------


def _at(rng, day: datetime.date) -> datetime.datetime:
    """A moment in office hours on ``day``."""
    return datetime.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(8, 17),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=timezone.get_default_timezone(),
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _base_for(rng, province: str, setting: Setting) -> int:
    home = [pk for pk, code in setting.bases if province in REGIONS.get(code, ())]
    if home and rng.random() < 0.85:
        return home[0]
    return rng.choice(setting.bases)[0]


def _junior_day(rng, setting: Setting, *, latest: datetime.date) -> datetime.date:
    years = list(range(min(YEAR_WEIGHTS), latest.year + 1))
    weights = []
    for year in years:
        weight = YEAR_WEIGHTS.get(year, YEAR_WEIGHTS[max(YEAR_WEIGHTS)])
        if year == latest.year:  # only part of this year is behind us
            weight *= (latest.timetuple().tm_yday) / 365
        weights.append(weight)
    year = rng.choices(years, weights)[0]
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), latest)
    return first + _days(rng.randint(0, (last - first).days))


def _schedule(rng, issued_on: datetime.date) -> dict:
    """Backwards from the day a certificate is issued: application, final exam, course."""
    issued = _at(rng, issued_on)
    submitted = issued - _days(rng.randint(4, 25))
    final = submitted - _days(rng.randint(5, 15))  # graded within four days
    completed = final - _days(rng.randint(10, 90))
    enrolled = completed - _days(rng.randint(45, 110))
    return {
        "issued": issued,
        "submitted": submitted,
        "final": final,
        "completed": completed,
        "enrolled": enrolled,
    }


def _experience(rng, level: str) -> Decimal:
    low, high = {
        SeededLevels.JUNIOR_BROKER: (0, 6),
        SeededLevels.INTERMEDIATE_BROKER: (2, 12),
        SeededLevels.SENIOR_MANAGER: (5, 20),
    }[level]
    return Decimal(rng.randint(low * 2, high * 2)) / 2


def _salt(rng) -> str:
    return f"{rng.getrandbits(64):016x}"


def _train(rng, plan: Plan, setting: Setting, level: str, issued_on: datetime.date, *, passes):
    """The class and exam before ``issued_on``, cut off at today; returns the award when the
    whole of it lies in the past and the exam was passed, else None."""
    when = _schedule(rng, issued_on)
    now = setting.now
    seed = rng.getrandbits(32)
    study = Study(
        base_id=plan.base_id,
        level=level,
        enrolled_at=when["enrolled"],
        completed_at=when["completed"],
        final_at=when["final"],
        passed=passes,
        seed=seed,
    )
    if when["enrolled"] >= now:
        return None
    if when["completed"] >= now:  # still in the class
        study.completed_at = study.final_at = None
    elif when["final"] >= now - _days(5):  # finished the class; the exam (or its grade) is ahead
        study.final_at = None
    plan.studies.append(study)
    if not passes or when["issued"] >= now - _days(2):
        return None  # failed, or passed but not issued yet
    level_row = setting.levels[level]
    award = Award(
        level=level_row,
        body=setting.base_body[plan.base_id]
        if level == SeededLevels.JUNIOR_BROKER
        else setting.national,
        issued_at=when["issued"],
        submitted_at=when["submitted"],
        experience_years=_experience(rng, level),
        held_since=timezone.localdate(when["issued"]),
        salt=_salt(rng),
        plan=plan,
    )
    plan.awards.append(award)
    return award


def _renew(rng, award: Award, setting: Setting, *, higher_on: datetime.date | None) -> Award:
    """Renewals near each expiry, while the person renews and holds nothing higher by then.
    Returns the last certificate of the chain."""
    today = setting.today
    while True:
        valid_until = _valid_until(award.level, award.issued_on)
        if valid_until is None or valid_until > today + _days(45):
            return award
        if higher_on is not None and higher_on <= valid_until:
            return award
        if rng.random() >= RENEWAL_CHANCE:
            return award
        renewed_on = valid_until - _days(rng.randint(5, 60))
        if renewed_on > today - _days(3):
            return award
        issued = _at(rng, renewed_on)
        renewal = Award(
            level=award.level,
            body=award.body,
            issued_at=issued,
            submitted_at=issued - _days(rng.randint(3, 20)),
            experience_years=award.experience_years,
            held_since=award.held_since,
            salt=_salt(rng),
            renews=award,
            plan=award.plan,
        )
        award.renewed_at = issued
        award.plan.awards.append(renewal)
        award = renewal


def _waiting(rng, plan: Plan, setting: Setting) -> None:
    """A recent intermediate class, its exam passed, the application submitted."""
    final = _at(rng, setting.today - _days(rng.randint(8, 40)))
    completed = final - _days(rng.randint(10, 60))
    study = Study(
        base_id=plan.base_id,
        level=SeededLevels.INTERMEDIATE_BROKER,
        enrolled_at=completed - _days(rng.randint(45, 110)),
        completed_at=completed,
        final_at=final,
        passed=True,
        seed=rng.getrandbits(32),
    )
    plan.studies.append(study)
    submitted = min(final + _days(rng.randint(5, 9)), setting.now - _days(1))
    plan.waiting = Award(
        level=setting.levels[SeededLevels.INTERMEDIATE_BROKER],
        body=setting.national,
        issued_at=submitted,  # not issued: only the application is made
        submitted_at=submitted,
        experience_years=_experience(rng, SeededLevels.INTERMEDIATE_BROKER),
        held_since=timezone.localdate(submitted),
        salt="",
        plan=plan,
    )


def scale_plan(trainee: ScaleTrainee, setting: Setting, *, seed: int = 2026) -> Plan:
    """The career of one seeded person; the same person always gets the same one."""
    rng = random.Random(f"{seed}:career:{trainee.n}")
    today = setting.today
    waits = trainee.n % WAITING_EVERY == WAITING_AT
    plan = Plan(
        trainee=trainee, base_id=_base_for(rng, trainee.province, setting), joined_at=setting.now
    )
    latest = today - _days(600 if waits else 7)
    junior = _train(
        rng,
        plan,
        setting,
        SeededLevels.JUNIOR_BROKER,
        _junior_day(rng, setting, latest=latest),
        passes=True,
    )
    chain = [junior]
    if waits:
        _waiting(rng, plan, setting)
    elif rng.random() < INTERMEDIATE_CHANCE:
        issued_on = junior.issued_on + _days(rng.randint(380, 1100))
        passes = rng.random() >= EXAM_FAILED_CHANCE
        middle = _train(
            rng, plan, setting, SeededLevels.INTERMEDIATE_BROKER, issued_on, passes=passes
        )
        if middle is not None:
            chain.append(middle)
            if rng.random() < SENIOR_CHANCE:
                issued_on = middle.issued_on + _days(rng.randint(760, 1100))
                passes = rng.random() >= EXAM_FAILED_CHANCE
                top = _train(
                    rng, plan, setting, SeededLevels.SENIOR_MANAGER, issued_on, passes=passes
                )
                if top is not None:
                    chain.append(top)
    last = None
    for position, award in enumerate(chain):
        higher = chain[position + 1].issued_on if position + 1 < len(chain) else None
        last = _renew(rng, award, setting, higher_on=higher)
    if rng.random() < REVOCATION_CHANCE:
        valid_until = _valid_until(last.level, last.issued_on) or today
        days = (min(valid_until, today - _days(1)) - last.issued_on).days
        if days > 20:
            last.revoked_at = _at(rng, last.issued_on + _days(rng.randint(20, days)))
            last.revocation_code, last.revocation_reason = rng.choice(REVOCATION_REASONS)
    plan.joined_at = min(s.enrolled_at for s in plan.studies) - _days(rng.randint(0, 40))
    return plan


def scale_plans(trainees: list[ScaleTrainee], setting: Setting, *, seed: int = 2026) -> list:
    return [scale_plan(trainee, setting, seed=seed) for trainee in trainees]


def people_seeded(*, user_ids) -> set[int]:
    """Those of the people who already have an application: their records are made."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    applicants = Application.objects.values_list("applicant_id", flat=True).distinct()
    if len(user_ids) <= BATCH:
        applicants = applicants.filter(applicant_id__in=user_ids)
    return user_ids & set(applicants)


# -- writing the records ---------------------------------------------------------------------


def _status(award: Award, today: datetime.date) -> str:
    if award.renewed_at is not None:
        return Certificate.Status.SUPERSEDED
    if award.revoked_at is not None:
        return Certificate.Status.REVOKED
    valid_until = _valid_until(award.level, award.issued_on)
    if valid_until is not None and valid_until < today:
        return Certificate.Status.EXPIRED
    return Certificate.Status.VALID


def _numbers_take(awards: list[Award]) -> None:
    """Consecutive numbers from each range, in order of issue, and status bits likewise."""
    ranges: dict = {}
    for award in awards:
        numbering = numbering_body_for(body=award.body, level=award.level)
        ranges.setdefault((numbering, award.level, award.issued_on.year), []).append(award)
    for (numbering, level, year), group in sorted(
        ranges.items(), key=lambda item: (item[0][0].pk, item[0][1].pk, item[0][2])
    ):
        group.sort(key=lambda a: (a.issued_at, a.plan.trainee.n))
        first = numbers_allocate(body=numbering, level=level, year=year, count=len(group))
        for offset, award in enumerate(group):
            award.sequence = first + offset
            award.numbering = numbering
    by_body: dict = {}
    for award in awards:
        by_body.setdefault(award.body, []).append(award)
    for body, group in sorted(by_body.items(), key=lambda item: item[0].pk):
        group.sort(key=lambda a: (a.issued_at, a.plan.trainee.n))
        bits = status_bits_allocate(body=body, count=len(group))
        for award, bit in zip(group, bits, strict=True):
            award.bit = bit


def _application(award: Award, *, status, course_id, reviewer_of, decided) -> Application:
    rng = random.Random(award.salt or award.plan.trainee.n)
    plan = award.plan
    years = award.experience_years
    return Application(
        applicant_id=plan.user_id,
        level=award.level,
        body=award.body,
        course_id=course_id,
        renews_id=award.renews.certificate_id if award.renews else None,
        status=status,
        printed_name=plan.trainee.real_name,
        experience_years=years,
        experience_note=f"从事技术转移相关工作{years}年。" if years else "",
        checklist=SYNTHETIC,
        reviewer=reviewer_of.get(award.body.pk) if decided else None,
        created_at=award.submitted_at - _days(rng.randint(0, 6)),
        submitted_at=award.submitted_at,
        decided_at=award.issued_at if decided else None,
    )


def _certificate(award: Award, application: Application, *, setting, filer) -> Certificate:
    level, body, today = award.level, award.body, setting.today
    rng = random.Random(award.salt)
    valid_until = _valid_until(level, award.issued_on)
    status = _status(award, today)
    certificate = Certificate(
        number=number_format(
            body=award.numbering, level=level, year=award.issued_on.year, sequence=award.sequence
        ),
        numbering_body=award.numbering,
        year=award.issued_on.year,
        sequence=award.sequence,
        body=body,
        level=level,
        holder_id=award.plan.user_id,
        application=application,
        status=status,
        printed_name=application.printed_name,
        level_name=level.name,
        level_name_en=level.name_en,
        track_name=level.track.name,
        body_name=body.name,
        issued_on=award.issued_on,
        valid_until=valid_until,
        held_since=award.held_since,
        requirements=requirements_snapshot(level),
        recipient_salt=award.salt,
        status_list=award.bit[0],
        status_index=award.bit[1],
        issued_at=award.issued_at + datetime.timedelta(seconds=rng.randint(20, 300)),
        revoked_at=award.revoked_at,
        revocation_code=award.revocation_code,
        revocation_reason=award.revocation_reason,
        revoked_by=filer.user if award.revoked_at and filer and body.pk in filer.body_ids else None,
        superseded_at=award.renewed_at,
        created_at=award.issued_at,
    )
    if level.central_filing:
        filed_at = award.issued_at + _days(rng.randint(10, 50))
        if filed_at < setting.now:
            certificate.filing_status = Certificate.Filing.FILED
            certificate.filed_at = filed_at
            certificate.filed_by = (
                filer.user if filer and award.numbering.pk in filer.body_ids else None
            )
            certificate.filing_reference = f"国技评备〔{filed_at.year}〕{filed_at.month:02d}号"
        else:
            certificate.filing_status = Certificate.Filing.PENDING
    if status == Certificate.Status.VALID and valid_until is not None:
        for days, name in ((60, "reminded_60_at"), (7, "reminded_7_at")):
            due = valid_until - _days(days)
            if due <= today:  # the nightly sweep has reminded the holder already
                setattr(certificate, name, _at(rng, due).replace(hour=2))
    return certificate


@dataclass(frozen=True)
class _Filer:
    user: object
    body_ids: frozenset


def records_create(
    *, plans: list[Plan], class_of: dict, setting: Setting, certifier=None
) -> CertificationResult:
    """Write the plans' applications and certificates; plans must carry their user ids.

    ``certifier`` is named as reviewer, filer and revoker where they act for the body.
    """
    result = CertificationResult()
    reviewer_of, filer = {}, None
    if certifier is not None:
        body_ids = frozenset(certifier.certifying_bodies.values_list("pk", flat=True))
        reviewer_of = dict.fromkeys(body_ids, certifier)
        filer = _Filer(user=certifier, body_ids=body_ids)
    awards = [award for plan in plans for award in plan.awards]
    with transaction.atomic():
        _numbers_take(awards)
        created = Application._meta.get_field("created_at")
        made = Certificate._meta.get_field("created_at")
        generations: dict = {}
        for award in awards:
            generations.setdefault(award.generation, []).append(award)
        with dates_as_given(created, made):
            for generation in sorted(generations):
                group = generations[generation]
                for start in range(0, len(group), BATCH):
                    _awards_write(
                        group[start : start + BATCH],
                        class_of=class_of,
                        reviewer_of=reviewer_of,
                        filer=filer,
                        setting=setting,
                    )
            renewed = [a for a in awards if a.renews is not None]
            if renewed:
                rows_update(
                    [
                        Certificate(pk=a.renews.certificate_id, superseded_by_id=a.certificate_id)
                        for a in renewed
                    ],
                    ["superseded_by"],
                )
            waiting = [
                _application(
                    plan.waiting,
                    status=Application.Status.SUBMITTED,
                    course_id=class_of.get((plan.user_id, SeededLevels.INTERMEDIATE_BROKER)),
                    reviewer_of=reviewer_of,
                    decided=False,
                )
                for plan in plans
                if plan.waiting is not None
            ]
            Application.objects.bulk_create(waiting, batch_size=1000)
        revoked = [a for a in awards if a.revoked_at is not None]
        lists = {a.bit[0].pk for a in revoked}
        for status_list in StatusList.objects.select_related("signing_key", "body").filter(
            pk__in=lists
        ):
            status_list_sign(status_list)
    result.certificates = len(awards)
    result.applications = len(awards) + len(waiting)
    result.waiting = len(waiting)
    result.revoked = len(revoked)
    return result


def _awards_write(awards, *, class_of, reviewer_of, filer, setting) -> None:
    applications = [
        _application(
            award,
            status=Application.Status.ISSUED,
            course_id=None
            if award.renews
            else class_of.get((award.plan.user_id, award.level.course_level_id)),
            reviewer_of=reviewer_of,
            decided=True,
        )
        for award in awards
    ]
    Application.objects.bulk_create(applications, batch_size=1000)
    certificates = [
        _certificate(award, application, setting=setting, filer=filer)
        for award, application in zip(awards, applications, strict=True)
    ]
    Certificate.objects.bulk_create(certificates, batch_size=1000)
    for award, certificate in zip(awards, certificates, strict=True):
        award.certificate_id = certificate.pk
    reset_queries()  # with DEBUG on, Django would keep every bulk insert's SQL in memory
