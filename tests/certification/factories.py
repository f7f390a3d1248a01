"""Certification test data: bodies with keys, certifiers, and people who meet a level's rules."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from certification.applications.services import application_create, application_submit
from certification.credentials.keys import signing_key_create
from certification.issuing.services import application_approve
from certification.models import CertificationLevel, CertifyingBody
from tests.factories import UserFactory, course, png_bytes, training_base, with_totp


def level(code="junior_broker") -> CertificationLevel:
    return CertificationLevel.objects.get(code=code)


def seal_png() -> bytes:
    """A red ring on a transparent ground, as a seal would be scanned."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 255), width=14)
    draw.regular_polygon((120, 120, 40), 5, fill=(200, 20, 20, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# The exam standard a test body sets for each level it awards (see ``qualify``'s paper).
STANDARD = {
    "questions_general": 5,
    "questions_policy": 5,
    "questions_practice": 5,
    "questions_enhancement": 5,
    "min_pass_mark": 60,
    "max_time_limit_minutes": 120,
}


def exam_standard(body, level_code="junior_broker", **fields):
    from certification.models import ExamStandard

    return ExamStandard.objects.update_or_create(
        body=body, level=level(level_code), defaults={**STANDARD, **fields}
    )[0]


def certifying_body(
    code="GD",
    kind="base",
    levels=("junior_broker",),
    key=True,
    images=True,
    exam_standards=True,
    **fields,
) -> CertifyingBody:
    body = CertifyingBody.objects.create(
        code=code,
        kind=kind,
        name=fields.pop("name", f"{code} 技术转移人才评价中心"),
        name_en=fields.pop("name_en", f"{code} Technology Transfer Certification Centre"),
        signatory_name=fields.pop("signatory_name", "王主任"),
        signatory_title=fields.pop("signatory_title", "中心主任"),
        **fields,
    )
    body.levels.set(CertificationLevel.objects.filter(code__in=levels))
    if exam_standards:
        for rules in CertificationLevel.objects.filter(code__in=levels, exam_required=True):
            exam_standard(body, rules.code)
    if images:
        body.seal.save("seal.png", ContentFile(seal_png()), save=False)
        body.signature.save("signature.png", ContentFile(png_bytes((200, 60), (20, 20, 20))))
        body.save()
    if key:
        signing_key_create(body=body)
    return body


def certifier(body: CertifyingBody | None = None, **fields):
    """A certifier with an authenticator, working for ``body``."""
    user = UserFactory(roles=["Certifier"], **fields)
    with_totp(user)
    if body is not None:
        body.certifiers.add(user)
    return user


def qualify(
    user,
    level_code="junior_broker",
    base=None,
    passed_at=None,
    questions_per_module=5,
    exam_fields=None,
):
    """Give ``user`` the hours and the exam pass the level asks for, at a training base: a
    paper of ``questions_per_module`` in every module, as the test bodies' standard asks."""
    from courses.models import Attempt, AttemptQuestion, Enrolment, LessonCredit, LessonPage

    rules = level(level_code)
    base = base or training_base(
        code=f"B{user.pk}{rules.number_code}", slug=f"base-{user.pk}-{rules.number_code.lower()}"
    )
    lessons = [
        (category, str(max(hours, Decimal("1"))), "online")
        for category, hours in rules.hours_required().items()
    ]
    page = course(
        base,
        level=rules.course_level or "junior_broker",
        lessons=lessons,
        slug=f"c-{user.pk}-{level_code}",
    )
    enrolment = Enrolment.objects.create(
        user=user, course=page, status=Enrolment.Status.COMPLETED, completed_at=timezone.now()
    )
    for lesson in LessonPage.objects.descendant_of(page).specific():
        LessonCredit.objects.create(
            enrolment=enrolment,
            lesson=lesson,
            hours=lesson.hours,
            category=lesson.get_parent().specific.category,
            method=LessonCredit.Method.ONLINE,
        )
    if rules.exam_required:
        from tests.factories import exam

        paper = exam(base, page, level=rules.course_level, **(exam_fields or {}))
        when = passed_at or timezone.now() - datetime.timedelta(days=1)
        attempt = Attempt.objects.create(
            exam=paper,
            user=user,
            number=1,
            status=Attempt.Status.FINAL,
            deadline=when,
            submitted_at=when,
            finalised_at=when,
            score=Decimal("90"),
            max_score=Decimal("100"),
            passed=True,
        )
        # The paper as served: questions_per_module of each module category.
        AttemptQuestion.objects.bulk_create(
            AttemptQuestion(
                attempt=attempt,
                position=position,
                type="single",
                stem=f"{category} {n}",
                category=category,
                points=Decimal("1"),
            )
            for position, (category, n) in enumerate(
                (category, n)
                for category in rules.hours_required()
                for n in range(questions_per_module)
            )
        )
    return page


# The example number of GB 11643-1999 itself: a resident ID number that passes every check.
IDENTITY_NUMBER = "11010519491231002X"


def identity_on_record(user, number=IDENTITY_NUMBER):
    """Real-name details with a document image, as a trainee records them: what a level that
    requires an identity check needs before it can be approved (with ``identity_checked``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.accounts.identity import identity_record

    identity_record(
        user,
        kind="resident_id",
        number=number,
        document=SimpleUploadedFile("id.png", png_bytes((320, 200), (40, 110, 190))),
    )
    return user


def submitted_application(user, body, level_code="junior_broker", **qualify_kwargs):
    """A qualified person's application, submitted through the real service."""
    qualify(user, level_code, **qualify_kwargs)
    application = application_create(applicant=user, level=level(level_code), body=body)
    return application_submit(application_id=application.pk, actor=user)


def issued_certificate(user, body, actor, level_code="junior_broker"):
    """Run the whole path: qualify, apply, submit, approve, complete (tasks run eagerly)."""
    from django.test import TestCase

    application = submitted_application(user, body, level_code)
    # The test's transaction never commits, so run the on-commit work (the issuing task) here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(application_id=application.pk, actor=actor)
    certificate.refresh_from_db()
    return certificate
