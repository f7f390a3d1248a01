"""`seed_demo` builds a believable site, with working demo accounts, and is idempotent."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Page
from wagtail.models import Revision as PageRevision

from certification.models import (
    Application,
    Certificate,
    CertificationLevel,
    NumberSequence,
    StatusList,
)
from cms.models import FacultyMemberPage, NewsPage, TextbookPage, TrainingBasePage
from courses.models import Attempt, CoursePage, Enrolment, LessonCredit
from portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Page,
            User,
            TextbookPage,
            Image,
            Document,
            Collection,
            Group,
            EmailAddress,
            Authenticator,
            PageRevision,
        )
    )


def test_seed_demo_builds_the_site_and_running_it_again_changes_nothing(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    for spec in DEMO_ACCOUNTS:
        assert spec.email in out.getvalue()

    # The base approved from an online application is new: it has published nothing yet.
    bases = TrainingBasePage.objects.live().filter(application__isnull=True)
    assert bases.count() >= 3
    assert len(set(bases.values_list("province", flat=True))) >= 3
    from_application = TrainingBasePage.objects.live().get(application__status="approved")
    assert from_application.accreditation_period.ends_on >= timezone.localdate()
    for base in bases:
        assert TextbookPage.objects.live().descendant_of(base).exists()
        assert FacultyMemberPage.objects.live().descendant_of(base).count() >= 4
        assert NewsPage.objects.live().descendant_of(base).exists()
    assert all(m.photo_id for m in FacultyMemberPage.objects.all())

    book = TextbookPage.objects.filter(document__isnull=False).first()
    reader = PdfReader(book.document.file.open("rb"))
    assert len(reader.pages) >= 2
    assert book.title in reader.pages[0].extract_text()

    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    # The demo editor edits the first base.
    editor = User.objects.get(email="editor@demo.local")
    first_base = bases.order_by("path").first()
    assert first_base.permissions_for_user(editor).can_edit()
    other_base = bases.order_by("path").last()
    assert not other_base.permissions_for_user(editor).can_edit()

    assert client.login(username="trainee@demo.local", password=DEMO_PASSWORD)


SCALED = "@scale.demo.local"


def scale_counts():
    scaled = {"user__email__endswith": SCALED}
    return {
        "people": User.objects.filter(email__endswith=SCALED).count(),
        "certificates": Certificate.objects.filter(holder__email__endswith=SCALED).count(),
        "applications": Application.objects.filter(applicant__email__endswith=SCALED).count(),
        "enrolments": Enrolment.objects.filter(**scaled).count(),
        "credits": LessonCredit.objects.filter(enrolment__user__email__endswith=SCALED).count(),
        "attempts": Attempt.objects.filter(**scaled).count(),
    }


def assert_numbers_follow_their_sequences():
    """Every range's numbers run 1, 2, 3… up to its counter, and every certificate the portal
    issued is counted (imported earlier records keep their own numbers, outside the ranges)."""
    from certification.models import Award

    counted = 0
    issued = Certificate.objects.filter(origin=Certificate.Origin.PORTAL)
    for sequence in NumberSequence.objects.all():
        numbers = sorted(
            issued.filter(
                numbering_body=sequence.body, level=sequence.level, year=sequence.year
            ).values_list("sequence", flat=True)
        )
        assert numbers == list(range(1, sequence.last + 1)), sequence
        counted += len(numbers)
    assert counted == issued.count()
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for status_list in StatusList.objects.all():
        # Certificates and recognition awards take their bits from the same lists.
        awards = Award.objects.filter(status_list=status_list)
        indexes = sorted(
            [*status_list.certificates.values_list("status_index", flat=True)]
            + [*awards.values_list("status_index", flat=True)]
        )
        assert indexes == list(range(len(indexes)))
        assert status_list.next_index == len(indexes)


def test_seed_demo_scale_adds_certified_people_with_their_records_once(client):
    out = io.StringIO()
    call_command("seed_demo", "--scale", "30", stdout=out)
    assert "Scale: 30 people" in out.getvalue()
    first = scale_counts()
    assert first["people"] == 30
    people = User.objects.filter(email__endswith=SCALED)
    junior = CertificationLevel.objects.get(code="junior_broker")
    # Everyone is certified, at least as a junior technology broker, and trained for it.
    assert all(p.certificates.filter(level=junior).exists() for p in people)
    assert 7 * 30 <= first["attempts"] <= 13 * 30
    assert first["credits"] >= 4 * 30

    certificates = Certificate.objects.filter(holder__email__endswith=SCALED)
    statuses = set(certificates.values_list("status", flat=True))
    assert {"valid", "expired"} <= statuses
    assert statuses <= {"valid", "expired", "revoked", "superseded"}
    assert len({c.issued_on.year for c in certificates}) >= 4
    assert certificates.filter(level__code="intermediate_broker").exists()
    for certificate in certificates.select_related("application", "level", "numbering_body"):
        # Synthetic: nothing rendered or signed, and said so on the application.
        assert not certificate.pdf and not certificate.credential and not certificate.pdf_sha256
        application = certificate.application
        assert application.status == Application.Status.ISSUED
        assert application.applicant_id == certificate.holder_id
        assert application.level_id == certificate.level_id
        assert "synthetic" in application.checklist
        assert certificate.number.startswith(f"{certificate.numbering_body.code}-")
        assert certificate.year == certificate.issued_on.year
        assert application.submitted_at < application.decided_at <= certificate.issued_at
        assert certificate.issued_at < timezone.now()
        if certificate.status in ("valid", "expired"):
            lapsed = certificate.valid_until < timezone.localdate()
            assert (certificate.status == "expired") == lapsed, certificate
        if certificate.level.central_filing:
            assert certificate.numbering_body.kind == "national"
        if application.renews_id is None:  # trained and passed the level's exam before
            passed = Attempt.objects.filter(
                user_id=certificate.holder_id,
                exam__level=certificate.level.course_level,
                exam__course_id=application.course_id,
                exam__title__contains="结业考试",
                passed=True,
                finalised_at__lt=application.submitted_at,
            )
            assert passed.exists(), certificate
        else:
            renewed = application.renews
            assert renewed.status == Certificate.Status.SUPERSEDED
            assert renewed.superseded_by_id == certificate.pk
            assert certificate.held_since == renewed.held_since
    assert_numbers_follow_their_sequences()
    # Someone's application for the next level waits for review.
    assert Application.objects.filter(
        applicant__email=f"trainee000007{SCALED}", status=Application.Status.SUBMITTED
    ).exists()

    attempts = Attempt.objects.filter(user__email__endswith=SCALED)
    assert set(attempts.values_list("status", flat=True)) == {"final"}
    rate = attempts.filter(passed=True).count() / attempts.count()
    assert 0.55 <= rate <= 0.8
    now = timezone.now()
    for attempt in attempts.select_related("exam"):
        assert attempt.started_at <= attempt.submitted_at <= attempt.finalised_at <= now
        assert attempt.exam.opens_at <= attempt.started_at <= attempt.exam.closes_at
        assert attempt.passed == (attempt.percent >= attempt.exam.pass_mark)
        assert 1 <= attempt.number <= attempt.exam.max_attempts
    # The seeded people took past classes; the demo's open classes keep their seats. (The base
    # approved from an online application has published no classes yet.)
    live_classes = CoursePage.objects.filter(slug__in=["junior", "intermediate", "senior"])
    teaching_bases = TrainingBasePage.objects.filter(application__isnull=True)
    assert live_classes.count() == 3 * teaching_bases.count() == 9
    assert not Enrolment.objects.filter(
        course__in=live_classes, user__email__endswith=SCALED
    ).exists()
    for enrolment in Enrolment.objects.filter(user__email__endswith=SCALED):
        if enrolment.completed_at:
            assert enrolment.enrolled_at < enrolment.completed_at < now

    # Running it again adds nothing; asking for more adds only the difference.
    call_command("seed_demo", "--scale", "30", stdout=io.StringIO())
    assert scale_counts() == first
    call_command("seed_demo", "--scale", "40", stdout=io.StringIO())
    more = scale_counts()
    assert more["people"] == 40
    assert all(more[key] > first[key] for key in more)
    assert User.objects.filter(email=f"trainee000040{SCALED}", certificates__isnull=False).exists()
    assert_numbers_follow_their_sequences()

    # The public and the holder see a certificate that has no PDF or credential without error.
    for certificate in Certificate.objects.filter(holder__email__endswith=SCALED)[:5]:
        response = client.get(f"/verify/{certificate.number}/")
        assert response.status_code == 200
        assert certificate.number in response.content.decode()
    holder = certificates.first().holder
    client.force_login(holder)
    assert client.get(reverse("my_certificates")).status_code == 200
    number = holder.certificates.first().number
    assert client.get(reverse("certificate_pdf", args=[number])).status_code == 302


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(email="admin@demo.local").exists()
