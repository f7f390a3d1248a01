"""A base's editors see their own evaluation (grade, figures, the rule) and send a
self-assessment with evidence before the year is graded; the administrator grading it reads
it and chooses whether the grade shows on the base's public page. Refusals: another base's
editor, a graded year, bad files, hand-made posts."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.audit.models import AuditEntry
from cms.services import training_base_editor_add
from portal.accounts.roles import Role
from portal.oversight import services
from portal.oversight.models import BaseEvaluation, SelfAssessment
from tests.factories import UserFactory, training_base

from .helpers import fake_pdf, pdf, picture

pytestmark = pytest.mark.django_db

GOOD = {"facilities": "23", "organisation": "22", "results": "27", "innovation": "18"}
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def base():
    return training_base("GD-A")


@pytest.fixture
def other_base():
    return training_base("SH-B")


@pytest.fixture
def editor(base):
    user = UserFactory(roles=[Role.BASE_EDITOR], real_name="编辑甲")
    training_base_editor_add(base=base, user=user)
    return user


@pytest.fixture
def other_editor(other_base):
    user = UserFactory(roles=[Role.BASE_EDITOR], real_name="编辑乙")
    training_base_editor_add(base=other_base, user=user)
    return user


@pytest.fixture
def chief():
    return UserFactory(roles=[Role.ADMINISTRATOR], real_name="主管甲")


def evaluate(base, year, actor, scores=GOOD, published=None):
    return services.evaluation_save(
        base_id=base.pk,
        year=year,
        scores=scores,
        comments={"results": "通过率较高"},
        overall_comment="总体良好",
        actor=actor,
        published=published,
    )


def _assessment_post(**extra):
    data = {
        "summary": "本年度开班4期，培训学员210人。",
        "facilities": "新增实训室一间。",
        "organisation": "",
        "results": "考试通过率82%。",
        "innovation": "",
    }
    data.update(extra)
    return data


def test_an_editor_sees_each_years_grade_figures_and_rule_of_their_base(
    client, base, editor, chief
):
    evaluate(base, LAST_YEAR, chief)
    client.force_login(editor)
    page = client.get(reverse("my_base_evaluation", args=[base.pk])).content.decode()
    assert f'data-year="{LAST_YEAR}"' in page
    assert 'data-grade="excellent"' in page  # 23 + 22 + 27 + 18 = 90
    assert "90.0 points" in page
    assert 'data-figure="classes"' in page
    assert "通过率较高" in page and "总体良好" in page
    assert "Excellent: total at least 90" in page or "excellent: total at least 90" in page
    # The list page leads straight to the one base.
    response = client.get(reverse("my_bases"))
    assert response["Location"] == reverse("my_base_evaluation", args=[base.pk])


def test_an_editor_of_another_base_cannot_read_or_write_this_one(
    client, base, other_editor, editor
):
    client.force_login(other_editor)
    assert client.get(reverse("my_base_evaluation", args=[base.pk])).status_code == 404
    url = reverse("my_base_self_assessment", args=[base.pk, THIS_YEAR])
    assert client.get(url).status_code == 404
    response = client.post(url, {**_assessment_post(), "files": [pdf()]})
    assert response.status_code == 404
    assert not SelfAssessment.objects.exists()
    # Nor the evidence another base sent.
    client.force_login(editor)
    client.post(url, {**_assessment_post(), "files": [pdf()]})
    evidence = SelfAssessment.objects.get().files.get()
    client.force_login(other_editor)
    assert client.get(reverse("self_assessment_file", args=[evidence.pk])).status_code == 404
    # A trainee neither.
    client.force_login(UserFactory())
    assert client.get(reverse("my_base_evaluation", args=[base.pk])).status_code == 404


def test_an_editor_sends_a_self_assessment_with_evidence_and_the_grader_reads_it(
    client, base, editor, chief
):
    client.force_login(editor)
    url = reverse("my_base_self_assessment", args=[base.pk, LAST_YEAR])
    response = client.post(url, {**_assessment_post(), "files": [pdf("report.pdf"), picture()]})
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get(base=base, year=LAST_YEAR)
    assert assessment.submitted_by == editor
    assert assessment.files.count() == 2
    assert AuditEntry.objects.filter(action="self_assessment.submitted").exists()
    page = client.get(reverse("my_base_evaluation", args=[base.pk])).content.decode()
    assert 'data-self-assessment="sent"' in page

    client.force_login(chief)
    form = client.get(reverse("oversight_evaluation", args=[base.pk, LAST_YEAR])).content.decode()
    assert "本年度开班4期，培训学员210人。" in form
    assert "report.pdf" in form
    evidence = assessment.files.get(original_name="report.pdf")
    download = client.get(reverse("self_assessment_file", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_graded_year_is_closed_to_self_assessment(client, base, editor, chief):
    evaluate(base, LAST_YEAR, chief)
    client.force_login(editor)
    url = reverse("my_base_self_assessment", args=[base.pk, LAST_YEAR])
    page = client.get(url).content.decode()
    assert "the self-assessment is closed" in page
    response = client.post(url, {**_assessment_post(), "files": [pdf()]})
    assert "already graded; the self-assessment is closed" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    # A year long past, by a hand-made post.
    old = reverse("my_base_self_assessment", args=[base.pk, THIS_YEAR - 5])
    response = client.post(old, _assessment_post())
    assert "can be written for" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_a_bad_evidence_file_keeps_nothing(client, base, editor):
    client.force_login(editor)
    url = reverse("my_base_self_assessment", args=[base.pk, THIS_YEAR])
    response = client.post(url, {**_assessment_post(), "files": [pdf(), fake_pdf()]})
    assert response.status_code == 200
    assert "virus.pdf" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    response = client.post(url, {**_assessment_post(summary="  ")})
    assert "This field is required." in response.content.decode()
    assert not SelfAssessment.objects.exists()


def _public(base) -> str:
    """The base's public page as an English-reading visitor sees it."""
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visitor.get(base.url).content.decode()


def test_a_grade_shows_on_the_public_page_only_when_published(client, base, chief):
    evaluate(base, LAST_YEAR, chief)
    public = _public(base)
    assert f"Annual evaluation {LAST_YEAR}" not in public
    client.force_login(chief)
    data = {f"{k}_score": v for k, v in GOOD.items()}
    data.update({"overall_comment": "", "published": "on"})
    response = client.post(reverse("oversight_evaluation", args=[base.pk, LAST_YEAR]), data)
    assert response.status_code == 302
    assert BaseEvaluation.objects.get(base=base, year=LAST_YEAR).published
    public = _public(base)
    assert f"Annual evaluation {LAST_YEAR}" in public
    assert f'data-fact="grade-{LAST_YEAR}">excellent<' in public
    # Saving again without the box takes it off the page.
    client.force_login(chief)
    data.pop("published")
    client.post(reverse("oversight_evaluation", args=[base.pk, LAST_YEAR]), data)
    assert not BaseEvaluation.objects.get(base=base, year=LAST_YEAR).published
    assert f"Annual evaluation {LAST_YEAR}" not in _public(base)


def test_an_editor_cannot_grade_or_publish(client, base, editor):
    client.force_login(editor)
    data = {f"{k}_score": v for k, v in GOOD.items()} | {"published": "on"}
    response = client.post(reverse("oversight_evaluation", args=[base.pk, LAST_YEAR]), data)
    assert response.status_code == 403
    assert not BaseEvaluation.objects.exists()


def test_the_evidence_download_is_never_run_as_a_page(client, base, editor):
    client.force_login(editor)
    client.post(
        reverse("my_base_self_assessment", args=[base.pk, THIS_YEAR]),
        {**_assessment_post(), "files": [picture("x.html.png")]},
    )
    evidence = SelfAssessment.objects.get().files.get()
    response = client.get(reverse("self_assessment_file", args=[evidence.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_menu_offers_our_evaluation_to_a_bases_editors_only(client, base, editor, chief):
    from cms.services import training_base_faculty_add

    teacher = UserFactory(roles=[Role.FACULTY], real_name="教师甲")
    training_base_faculty_add(base=base, user=teacher)
    shown = {}
    for person in (editor, teacher, chief):
        client.force_login(person)
        shown[person.real_name] = "data-our-evaluation" in client.get("/").content.decode()
    assert shown == {"编辑甲": True, "教师甲": False, "主管甲": False}
