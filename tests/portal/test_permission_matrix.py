"""Who may open which sensitive page and do which sensitive thing: one table, every role.

Each row is a page or an action; each column a role. The world (two training bases, two
certifying bodies, a course with an in-person lesson, an exam attempt awaiting grading, a
submitted application, an issued certificate) is built once for the module inside a
transaction that is rolled back at the end; every test runs in a savepoint of its own, so a
POST that changes something is undone before the next cell. Everyone signs in once, through
the real forms (certifiers and administrators with their authenticator code), and each test
reuses that session.

Outcomes:

- ``OK``: the page answers 200 and shows what it protects (or a POST takes effect);
- ``NO``: 403 or 404, a redirect away (a signed-in person sent to sign in or to the admin
  home), or a 200 that shows none of what the page protects; a POST changes nothing;
- ``LOGIN``: an anonymous visitor is sent to sign in.

The last column is a faculty member of base A signed in with the password alone (no second
factor set up): sent to set one up wherever they go, their own pages included.

What faculty may do: grade written answers, mark attendance, see rosters and keep the question
bank of their own base (the export shows their base's questions). They do not edit the base's
pages, see its dashboard (editors' and administrators' only) or certify.
"""

import io
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cms.services import training_base_editor_add, training_base_faculty_add
from tests.certification.factories import (
    certifier,
    certifying_body,
    identity_on_record,
    issued_certificate,
    submitted_application,
)
from tests.factories import (
    UserFactory,
    course,
    exam,
    password_only_login,
    questions,
    sign_in,
    training_base,
    with_totp,
)

pytestmark = pytest.mark.django_db

OK, NO, LOGIN = "OK", "NO", "LOGIN"
ROLES = [
    "anonymous",
    "trainee",
    "editor_other_base",
    "faculty",
    "certifier_other_body",
    "certifier",
    "administrator",
    "faculty_without_second_factor",
]
SECRET_STEM = "甲基地保密试题"
APPLICANT_NAME = "申请人贾某"


@pytest.fixture
def _media_in_tmp():
    """Replaces the suite's per-test media folder: the module's world keeps its files in one
    folder for the whole module (see ``world``)."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media")),
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-private")),
    )
    media.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            data = _build_world()
            yield data
            transaction.set_rollback(True)
    finally:
        media.disable()


def _build_world() -> dict:
    from courses.models import LessonPage
    from courses.services import attempt_start, attempt_submit, enrolment_create

    cache.clear()
    base = training_base("GD-A", "44")
    other_base = training_base("SC-B", "51")
    body = certifying_body("GD", training_base=base)
    other_body = certifying_body("SH")

    people = {
        "trainee": UserFactory(roles=["Trainee"]),
        "editor_other_base": UserFactory(roles=["Base editor"]),
        "faculty": UserFactory(roles=["Faculty"]),
        "certifier_other_body": certifier(other_body),
        "certifier": certifier(body),
        "administrator": with_totp(UserFactory(roles=["Administrator"])),
        "faculty_without_second_factor": UserFactory(roles=["Faculty"]),
    }
    training_base_editor_add(base=other_base, user=people["editor_other_base"])
    training_base_faculty_add(base=base, user=people["faculty"])
    training_base_faculty_add(base=base, user=people["faculty_without_second_factor"])

    # A class at base A with an in-person lesson and a learner on its roster.
    learner = UserFactory(roles=["Trainee"], real_name="学员乙某")
    klass = course(base, lessons=[("general", "1", "online"), ("practice", "2", "in_person")])
    in_person = LessonPage.objects.descendant_of(klass).get(delivery="in_person")
    enrolment = enrolment_create(user=learner, course=klass)
    questions(base, per_kind=1)
    questions(other_base, per_kind=1)
    from courses.models import Question

    Question.objects.filter(base=base, type="single").update(stem=SECRET_STEM)
    paper = exam(
        base,
        klass,
        blueprint=[
            {"type": "single", "category": "general", "count": 1},
            {"type": "short", "category": "practice", "count": 1},
        ],
    )
    # The learner sits the exam before holding the level's hours: this world is about who may
    # see what, so the level lets the exam come first (rolled back with the world).
    from certification.models import CertificationLevel

    CertificationLevel.objects.filter(course_level=paper.level).update(exam_before_hours=True)
    attempt = attempt_start(user=learner, exam=paper)
    written = attempt.questions.get(type="short")
    attempt_submit(attempt=attempt, answers={written.position: "我的答案"})

    # An invitation from base A to a running class, addressed to the trainee (who alone may
    # answer it), and the learner's contact details for the roster rows.
    import datetime

    from courses.invitations import invitation_send

    today = timezone.localdate()
    running = course(
        base,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=60),
    )
    invitation = invitation_send(course=running, email=people["trainee"].email, by=None)
    learner.phone = "13900001111"
    learner.save(update_fields=["phone"])

    # Certification: a submitted application and an issued certificate, both at body GD.
    applicant = UserFactory(roles=["Trainee"], real_name=APPLICANT_NAME)
    identity_on_record(applicant)  # the document image a certifier compares
    application = submitted_application(applicant, body, base=base)
    holder = UserFactory(roles=["Trainee"], real_name="持证人丙某")
    certificate = issued_certificate(holder, body, people["certifier"])

    sessions = {}
    for role, person in people.items():
        client = Client()
        if role == "faculty_without_second_factor":
            password_only_login(client, person)
        else:
            sign_in(client, person)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache.clear()
    from portal.notifications.models import Notification

    notification = Notification.objects.create(
        user=learner, kind="enrolled", key="matrix", params={"course": "矩阵课程"}, path="/me/"
    )
    return {
        "notification": notification,
        "base": base,
        "other_base": other_base,
        "body": body,
        "course": klass,
        "lesson": in_person,
        "enrolment": enrolment,
        "attempt": attempt,
        "written": written,
        "application": application,
        "applicant": applicant,
        "certificate": certificate,
        "invitation": invitation,
        "learner": learner,
        "sessions": sessions,
        "year": timezone.localdate().year - 1,
    }


# -- what each row asks, and how to tell that it happened -------------------------------------


def _application_status(w):
    w["application"].refresh_from_db()
    return w["application"].status


def _certificate_status(w):
    w["certificate"].refresh_from_db()
    return w["certificate"].status


def _attempt_status(w):
    w["attempt"].refresh_from_db()
    return w["attempt"].status


def _attendance_marked(w):
    from courses.models import AttendanceMark

    return AttendanceMark.objects.filter(lesson=w["lesson"]).exists()


def _invitation_status(w):
    w["invitation"].refresh_from_db()
    return w["invitation"].status


def _bulk_runs(w):
    from certification.models import BulkIssue

    return BulkIssue.objects.count()


def _workbook_text(response) -> str:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def _html(response) -> str:
    return response.content.decode(errors="replace")


@dataclass
class Row:
    name: str
    url: object  # world -> path
    expect: dict
    method: str = "get"
    data: object = None  # world -> POST data
    shows: object = None  # (world, response) -> whether what the page protects is in it
    state: object = None  # world -> a value that a successful POST changes
    extra: dict = field(default_factory=dict)


def _notification_read(w):
    w["notification"].refresh_from_db()
    return w["notification"].read_at


def everyone(**overrides):
    """Signed-in people are refused and visitors sent to sign in, unless overridden."""
    table = dict.fromkeys(ROLES, NO)
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


ADMIN_ONLY = everyone(administrator=OK)
CERTIFIERS = everyone(certifier=OK, administrator=OK)
BASE_STAFF = everyone(faculty=OK, administrator=OK)
SIGNED_IN = dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN, "faculty_without_second_factor": NO}

ROWS = [
    Row("national dashboard", lambda w: reverse("dashboard_national"), ADMIN_ONLY),
    Row(
        "national chart download",
        lambda w: reverse("dashboard_chart", args=["bases", "csv"]),
        ADMIN_ONLY,
    ),
    Row(
        "base dashboard",
        lambda w: reverse("dashboard_base", args=[w["base"].pk]),
        ADMIN_ONLY,
    ),
    Row(
        "base dashboard chart",
        lambda w: reverse("dashboard_base_chart", args=[w["base"].pk, "classes", "csv"]),
        ADMIN_ONLY,
    ),
    Row("base evaluations", lambda w: reverse("oversight_evaluations"), ADMIN_ONLY),
    Row(
        "a base's evaluation form",
        lambda w: reverse("oversight_evaluation", args=[w["base"].pk, w["year"]]),
        ADMIN_ONLY,
    ),
    Row("reports", lambda w: reverse("reports"), ADMIN_ONLY),
    Row(
        "certification desk",
        lambda w: reverse("certify_queue"),
        # The other body's certifier gets the desk, with nothing of this body's in it.
        CERTIFIERS,
        shows=lambda w, r: APPLICANT_NAME in _html(r),
    ),
    Row(
        "application review page",
        lambda w: reverse("certify_application", args=[w["application"].pk]),
        CERTIFIERS,
        shows=lambda w, r: APPLICANT_NAME in _html(r),
    ),
    # The applicant's identity document: for the certifiers who may decide the application.
    Row(
        "an applicant's identity document image",
        lambda w: reverse("certify_identity_document", args=[w["application"].pk]),
        CERTIFIERS,
        shows=lambda w, r: r["Content-Type"].startswith("image/"),
    ),
    Row(
        "approve an application",
        lambda w: reverse("certify_application", args=[w["application"].pk]),
        CERTIFIERS,
        method="post",
        data=lambda w: {"action": "approve", "confirmed": "yes"},
        state=_application_status,
    ),
    Row(
        "revoke a certificate",
        lambda w: reverse("certify_certificate", args=[w["certificate"].number]),
        CERTIFIERS,
        method="post",
        data=lambda w: {
            "action": "revoke",
            "confirmed": "yes",
            "code": "misconduct",
            "reason": "资格撤销",
        },
        state=_certificate_status,
    ),
    # Filing is the national body's work; body GD is a base's body.
    Row("filing page", lambda w: reverse("certify_filing"), ADMIN_ONLY),
    Row(
        "bulk issue page",
        lambda w: reverse("certify_bulk_new"),
        CERTIFIERS,
        shows=lambda w, r: w["body"].name in _html(r),
    ),
    Row(
        "start a bulk issue",
        lambda w: reverse("certify_bulk_new"),
        CERTIFIERS,
        method="post",
        data=lambda w: {
            "body": w["body"].pk,
            "course": w["application"].course_id or "none",
            "title": "批量发证",
            "confirmed": "yes",
        },
        state=_bulk_runs,
    ),
    Row(
        "another trainee's application",
        lambda w: reverse("application_detail", args=[w["application"].pk]),
        # Certifiers review it at the desk; this page is the applicant's own.
        everyone(),
    ),
    Row(
        "another trainee's certificate PDF",
        lambda w: reverse("certificate_pdf", args=[w["certificate"].number]),
        CERTIFIERS,
        shows=lambda w, r: r["Content-Type"] == "application/pdf",
    ),
    Row(
        "another trainee's credential",
        lambda w: reverse("certificate_credential", args=[w["certificate"].number]),
        CERTIFIERS,
    ),
    # The signed credential is public (/api/v1/certificates/<number>/credential); its badge with
    # the credential baked in, and a level's badge picture, are too.
    Row(
        "a certificate's badge with its credential baked in (public)",
        lambda w: reverse("api_certificate_badge", args=[w["certificate"].number]),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
        shows=lambda w, r: r["Content-Type"] == "image/png",
    ),
    Row(
        "a level's badge picture (public)",
        lambda w: reverse("credential_level_badge", args=[w["certificate"].level.code]),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
        shows=lambda w, r: r["Content-Type"] == "image/png",
    ),
    # Private files have no public address: not under /media/ (public pictures only), and
    # under /private-files/ only a person's own profile photo.
    Row(
        "another trainee's certificate PDF under /media/",
        lambda w: "/media/" + w["certificate"].pdf.name,
        everyone(anonymous=NO),
    ),
    Row(
        "another trainee's certificate photo under /private-files/",
        lambda w: w["certificate"].photo.url if w["certificate"].photo else "/private-files/x.jpg",
        everyone(),
    ),
    # The transcript URL names nobody: everyone gets their own, and only their own.
    Row(
        "transcript (one's own)",
        lambda w: reverse("transcript"),
        SIGNED_IN,
        shows=lambda w, r: r["Content-Type"] == "application/pdf",
    ),
    Row("my learning", lambda w: reverse("my_learning"), SIGNED_IN),
    # A person's own data: the addresses name nobody; everyone gets their own (test_my_data.py).
    Row("my data (one's own)", lambda w: reverse("my_data"), SIGNED_IN),
    # Real-name details and the phone: the addresses name nobody; everyone gets their own
    # (tests/portal/test_identity.py, test_phone.py).
    Row("real-name details (one's own)", lambda w: reverse("account_identity"), SIGNED_IN),
    Row("confirm my phone (one's own)", lambda w: reverse("account_phone"), SIGNED_IN),
    Row("type the SMS code (one's own)", lambda w: reverse("account_phone_confirm"), SIGNED_IN),
    # Notifications: the addresses name nobody but one's own; a learner's notification is
    # opened or marked read by nobody else (tests/portal/test_notifications.py).
    Row("notifications (one's own)", lambda w: reverse("notifications"), SIGNED_IN),
    Row("e-mail choices (one's own)", lambda w: reverse("notification_settings"), SIGNED_IN),
    Row(
        "open the learner's notification",
        lambda w: reverse("notification_open", args=[w["notification"].pk]),
        everyone(),
        method="post",
        data=lambda w: {},
        state=_notification_read,
    ),
    Row(
        "mark the learner's notification read",
        lambda w: reverse("notifications_read"),
        everyone(),
        method="post",
        data=lambda w: {"id": [str(w["notification"].pk)]},
        state=_notification_read,
    ),
    # Staff see the page but are refused the closing itself (test_close_account.py).
    Row("close my account (page)", lambda w: reverse("close_account"), SIGNED_IN),
    # Public; a staff member without a second factor is sent to set one up first, as anywhere.
    Row(
        "privacy notice (public)",
        lambda w: reverse("privacy"),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
    ),
    # The site icon: a fixed picture every browser asks for, for everyone (no second factor).
    Row(
        "favicon (public)",
        lambda w: reverse("favicon"),
        dict.fromkeys(ROLES, OK),
        shows=lambda w, r: r["Content-Type"] == "image/vnd.microsoft.icon",
    ),
    # The course catalogue and the class calendar are public, like the pages they list.
    Row(
        "course catalogue (public)",
        lambda w: reverse("course_catalogue"),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
        shows=lambda w, r: w["course"].title in _html(r),
    ),
    Row(
        "class calendar (public)",
        lambda w: reverse("class_calendar"),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
    ),
    # The .ics names nobody: everyone gets their own sessions (tests/courses/test_catalogue.py).
    Row(
        "my sessions .ics (one's own)",
        lambda w: reverse("my_sessions_ics"),
        SIGNED_IN,
        shows=lambda w, r: r["Content-Type"].startswith("text/calendar"),
    ),
    # Typing a certificate number and checking a holder: public (tests/certification/
    # verification/test_identity_match.py).
    Row(
        "verify by typed number (public)",
        lambda w: reverse("verify_lookup"),
        dict.fromkeys(ROLES, OK) | {"faculty_without_second_factor": NO},
        shows=lambda w, r: 'name="id_number"' in _html(r),
    ),
    Row("my certificates", lambda w: reverse("my_certificates"), SIGNED_IN),
    Row(
        "admin: edit base A's page",
        lambda w: reverse("wagtailadmin_pages:edit", args=[w["base"].pk]),
        ADMIN_ONLY,
    ),
    Row(
        "admin: export base A's question bank",
        lambda w: reverse("courses_questions_export") + f"?base={w['base'].pk}",
        # Another base's editor gets a workbook without base A's questions.
        BASE_STAFF,
        shows=lambda w, r: SECRET_STEM in _workbook_text(r),
    ),
    Row(
        "attendance sheet",
        lambda w: reverse("courses:attendance", args=[w["lesson"].pk]),
        BASE_STAFF,
        shows=lambda w, r: "学员乙某" in _html(r),
    ),
    Row(
        "mark attendance",
        lambda w: reverse("courses:attendance", args=[w["lesson"].pk]),
        BASE_STAFF,
        method="post",
        data=lambda w: {"present": [w["enrolment"].pk]},
        state=_attendance_marked,
    ),
    Row(
        "class roster",
        lambda w: reverse("courses:roster", args=[w["course"].pk]),
        BASE_STAFF,
        shows=lambda w, r: "学员乙某" in _html(r),
    ),
    # Contact details go only to the staff of the course's own base: an administrator sees the
    # roster without them, another base's staff not at all.
    Row(
        "class roster: a learner's e-mail and phone",
        lambda w: reverse("courses:roster", args=[w["course"].pk]),
        everyone(faculty=OK),
        shows=lambda w, r: w["learner"].email in _html(r) and "13900001111" in _html(r),
    ),
    Row(
        "class roster XLSX: a learner's e-mail and phone",
        lambda w: reverse("courses:roster", args=[w["course"].pk]) + "?format=xlsx",
        everyone(faculty=OK),
        shows=lambda w, r: (
            w["learner"].email in _workbook_text(r) and "13900001111" in _workbook_text(r)
        ),
    ),
    # An invitation is answered by the holder of its address only; to anyone else it is 404.
    Row(
        "an invitation to the trainee",
        lambda w: reverse("courses:invitation", args=[w["invitation"].token]),
        everyone(trainee=OK),
    ),
    Row(
        "accept the trainee's invitation",
        lambda w: reverse("courses:invitation_accept", args=[w["invitation"].token]),
        everyone(trainee=OK),
        method="post",
        data=lambda w: {},
        state=_invitation_status,
    ),
    Row(
        "decline the trainee's invitation",
        lambda w: reverse("courses:invitation_decline", args=[w["invitation"].token]),
        everyone(trainee=OK),
        method="post",
        data=lambda w: {},
        state=_invitation_status,
    ),
    Row(
        "roster import",
        lambda w: reverse("courses:roster_import", args=[w["course"].pk]),
        BASE_STAFF,
    ),
    Row(
        "grading an attempt",
        lambda w: reverse("courses:grading_attempt", args=[w["attempt"].pk]),
        BASE_STAFF,
        shows=lambda w, r: "我的答案" in _html(r),
    ),
    Row(
        "grade an answer",
        lambda w: reverse("courses:grading_attempt", args=[w["attempt"].pk]),
        BASE_STAFF,
        method="post",
        data=lambda w: {"question": w["written"].pk, "score": "4", "comment": "好"},
        state=_attempt_status,
    ),
]

CELLS = [pytest.param(row, role, id=f"{row.name} | {role}") for row in ROWS for role in ROLES]


def _signed_in_client(world, role) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


def _outcome(row, world, role, response, before) -> str:
    location = response.get("Location", "")
    sign_in_url = reverse("account_login")
    if response.status_code == 302 and location.startswith((sign_in_url, "/admin/login/")):
        return LOGIN if role == "anonymous" else NO
    if response.status_code in (403, 404, 405):
        return NO
    if response.status_code == 302 and location == reverse("mfa_activate_totp"):
        return NO  # a staff member without a second factor, sent to set one up
    if row.method == "post":
        assert response.status_code in (200, 302), response.status_code
        return OK if row.state(world) != before else NO
    if response.status_code == 302 and location.rstrip("/") in ("/admin", ""):
        return NO  # Wagtail's "no permission", back to the admin home
    assert response.status_code == 200, (response.status_code, location)
    if row.shows is not None:
        return OK if row.shows(world, response) else NO
    return OK


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_permission_matrix(world, row, role):
    client = _signed_in_client(world, role)
    url = row.url(world)
    with TestCase.captureOnCommitCallbacks(execute=False):
        if row.method == "post":
            before = row.state(world)
            response = client.post(url, row.data(world))
        else:
            before = None
            response = client.get(url)
    assert response.status_code < 500
    assert _outcome(row, world, role, response, before) == row.expect[role]


def test_every_role_and_row_is_in_the_table():
    assert all(set(row.expect) == set(ROLES) for row in ROWS)
    assert len({row.name for row in ROWS}) == len(ROWS)


def test_the_world_is_what_the_table_assumes(world):
    from certification.models import Application, Certificate

    assert _application_status(world) == Application.Status.SUBMITTED
    assert _certificate_status(world) == Certificate.Status.VALID
    assert _attempt_status(world) != "final"
    assert not _attendance_marked(world)
    assert _invitation_status(world) == "pending"
