"""A trainee's learning record as a signed 1EdTech CLR 2.0 ``ClrCredential``.

What "my learning" shows, in the standard a registrar's or an employer's software reads:

* ``credentialSubject.achievement``: every course the person enrolled in (``achievementType``
  ``Course``, with a ``ResultDescription`` per syllabus module for the hours credited in it) and
  every exam passed (``Assessment``, with the pass mark as ``requiredValue``);
* ``credentialSubject.verifiableCredential``: for each of those an ``AchievementCredential``
  carrying the person's results (hours per module, the percent scored), and the signed Open
  Badges credential of every certificate the person holds, exactly as issued (so each keeps its
  own proof and status entry and can be checked on its own).

The whole record is signed once, with an ``eddsa-rdfc-2022`` Data Integrity proof by the national
certifying body's key, named in its did:web document (``vc.sign``, as certificates are): the
portal vouches for the learning records it keeps, and the certificates inside carry the
signatures of the bodies that awarded them. The nested course and exam credentials have no
proof of their own: the outer one covers them.

Numbers are written as strings (``"12.5"``): JSON-LD turns a JSON number with a fraction into a
canonical double (``1.25E1``) and an integral one into an integer, and two implementations need
not agree which a ``12.0`` is. Course data comes only through ``courses.api``.
"""

import datetime
import hashlib
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.credentials import did as dids
from certification.credentials import keys, vc
from certification.credentials.vc.dates import xsd_datetime_local
from certification.credentials.vc.loader import CREDENTIALS_V2, OPEN_BADGES_V3
from certification.issuing.models import Certificate
from certification.issuing.statement import MODULES_EN, MODULES_ZH
from certification.levels.models import CertifyingBody
from certification.links import absolute_url
from courses import api as courses_api

CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
BEIJING = ZoneInfo("Asia/Shanghai")
HOURS_RESULT_TYPE = "ext:CreditedHours"


class TranscriptUnavailable(Exception):
    """No body can sign transcripts right now (no national body, or its key cannot be opened)."""


def _local(moment: datetime.datetime) -> str:
    return xsd_datetime_local(moment.astimezone(BEIJING).replace(microsecond=0))


def _hours(value) -> str:
    return f"{Decimal(value or 0):.1f}"


def _stable_id(*parts) -> str:
    """A URN that is the same every time for the same course or exam of this portal."""
    name = "/".join([settings.PORTAL_BASE_URL.rstrip("/"), *map(str, parts)])
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def transcript_issuer() -> CertifyingBody:
    body = (
        CertifyingBody.objects.filter(kind=CertifyingBody.Kind.NATIONAL, is_active=True)
        .order_by("pk")
        .first()
    )
    if body is None:
        raise TranscriptUnavailable("there is no active national certifying body")
    return body


def _module_name(code: str) -> str:
    english = MODULES_EN.get(code, code)
    return f"{MODULES_ZH.get(code, code)} {english[:1].upper()}{english[1:]}"


def _course_nodes(course, hours_by_module, completed_at, issuer, identifiers, level_names):
    achievement_id = _stable_id("course", course.course_id)
    level = level_names.get(course.level, course.level)
    descriptions = [
        {
            "id": f"{achievement_id}#hours-{code}",
            "type": ["ResultDescription"],
            "name": f"{_module_name(code)} 学时 hours",
            "resultType": HOURS_RESULT_TYPE,
        }
        for code in hours_by_module
    ]
    narrative = (
        f"完成本课程各课时的学习或面授，按《国家技术转移专业人员能力等级培训大纲》的四个模块计入学时。"
        f"课程共{_hours(course.total_hours)}学时。"
        f" Hours are credited per lesson completed online or attended, counted in the four "
        f"modules of the national syllabus; the course has {_hours(course.total_hours)} hours."
    )
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": course.title,
        "description": f"{level}课程{('，' + course.class_name) if course.class_name else ''}",
        "criteria": {"narrative": narrative},
        "creator": issuer,
        "resultDescription": descriptions,
    }
    if course.url:
        url = course.url if course.url.startswith("http") else absolute_url(course.url)
        achievement["criteria"]["id"] = url
    subject = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement,
        "result": [
            {
                "type": ["Result"],
                "resultDescription": f"{achievement_id}#hours-{code}",
                "value": _hours(value),
            }
            for code, value in hours_by_module.items()
        ],
    }
    if completed_at:
        subject["activityEndDate"] = _local(completed_at)
    return achievement, subject


def _exam_nodes(exam, issuer, identifiers, level_names):
    achievement_id = _stable_id("exam", exam.exam_id)
    level = level_names.get(exam.level, exam.level)
    description = {
        "id": f"{achievement_id}#percent",
        "type": ["ResultDescription"],
        "name": "成绩（百分制） Score (percent)",
        "resultType": "Percent",
    }
    if exam.pass_mark is not None:
        description["requiredValue"] = f"{Decimal(exam.pass_mark):.2f}"
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Assessment",
        "name": exam.exam_title,
        "description": f"{level}考试 Examination for the level",
        "criteria": {"narrative": "考试成绩达到及格线即为通过。 Passed by reaching the pass mark."},
        "creator": issuer,
        "resultDescription": [description],
    }
    subject = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement,
        "result": [
            {
                "type": ["Result"],
                "resultDescription": description["id"],
                "value": f"{Decimal(exam.percent or 0):.2f}",
                "status": "Completed",
            }
        ],
        "activityEndDate": _local(exam.passed_at),
    }
    return achievement, subject


def _nested_credential(kind: str, key, subject: dict, issuer: dict, name: str, when) -> dict:
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": _stable_id(kind, *key),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": _local(when),
        "credentialSubject": subject,
    }


def held_certificates(user) -> list[Certificate]:
    """The person's certificates in force with their signed credential, newest first."""
    certificates = (
        Certificate.objects.filter(holder=user, status=Certificate.Status.VALID)
        .exclude(credential=None)
        .order_by("-issued_on", "-pk")
    )
    return [c for c in certificates if c.effective_status() == Certificate.Status.VALID]


def transcript_credential(*, user, now: datetime.datetime | None = None) -> dict:
    """The signed ``ClrCredential`` of ``user``'s learning records at ``now``."""
    from cms.api import Level

    now = (now or timezone.now()).replace(microsecond=0)
    body = transcript_issuer()
    try:
        signing_key = keys.signing_key_active(body=body)
        private = keys.private_key(signing_key)
    except keys.KeyUnavailable as error:
        raise TranscriptUnavailable(str(error)) from error
    issuer = {
        "id": dids.body_did(body),
        "type": ["Profile"],
        "name": body.name,
        "url": absolute_url(reverse("certification_body", args=[body.code])),
    }
    salt = hashlib.sha256(f"transcript\x00{user.pk}\x00{now.isoformat()}".encode()).hexdigest()
    identifiers = [
        {
            "type": "IdentityObject",
            "identityHash": vc.identity_hash(user.email, salt[:32]),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt[:32],
        }
    ]
    level_names = Level.labels()
    overview = courses_api.learner_overview(user_id=user.pk)
    per_course = courses_api.course_hours_by_module(user_id=user.pk)
    completed = {
        c.course_id: c.completed_at for c in courses_api.course_completions(user_id=user.pk)
    }
    achievements, credentials = [], []
    for course in overview.courses:
        if course.status == "withdrawn":
            continue
        hours = per_course.get(course.course_id) or {code: Decimal("0") for code in MODULES_ZH}
        achievement, subject = _course_nodes(
            course, hours, completed.get(course.course_id), issuer, identifiers, level_names
        )
        achievements.append(achievement)
        credentials.append(
            _nested_credential(
                "course-record", (user.pk, course.course_id), subject, issuer, course.title, now
            )
        )
    for exam in courses_api.exams_passed(user_id=user.pk):
        achievement, subject = _exam_nodes(exam, issuer, identifiers, level_names)
        if achievement["id"] not in {a["id"] for a in achievements}:
            achievements.append(achievement)
        credentials.append(
            _nested_credential(
                "exam-record", (user.pk, exam.attempt_id), subject, issuer, exam.exam_title, now
            )
        )
    certificates = held_certificates(user)
    credentials += [certificate.credential for certificate in certificates]
    name = user.real_name or user.email
    document = {
        "@context": [CREDENTIALS_V2, CLR_V2, OPEN_BADGES_V3],
        "id": uuid.uuid4().urn,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"学习记录 Learning record · {name}",
        "description": (
            f"{name}在本平台的课程、各模块学时、通过的考试和持有的证书，"
            f"截至{now.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）。"
            f" Courses, hours per syllabus module, exams passed and certificates held, as "
            f"recorded by the portal at {now.astimezone(BEIJING):%Y-%m-%d %H:%M} Beijing time."
        ),
        "issuer": issuer,
        "validFrom": _local(now),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": identifiers,
            "achievement": achievements,
            "verifiableCredential": credentials,
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "JsonSchema"}],
    }
    return vc.sign(
        document,
        private_key=private,
        created=now.astimezone(datetime.UTC),
        method=dids.key_method(signing_key),
    )
