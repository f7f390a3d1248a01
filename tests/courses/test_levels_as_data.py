"""A level an administrator adds is a level of courses, exams and questions like the seeded
ones: the catalogue offers and filters by it, the course shows it, the question bank imports it
by name, and after an exam the next level is the next one of the same track."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.taxonomy import Level
from courses.models import Attempt, Question
from courses.question_io import COLUMNS, parse_questions_xlsx
from courses.selectors import after_exam
from tests import factories
from tests.courses.test_question_io import headers, row, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar_levels():
    track = "技术合同认定登记员"
    return [
        Level.objects.create(
            code="registrar_provincial",
            name="省级技术合同认定登记员",
            name_en="Provincial Technology-Contract Registrar",
            track=track,
            rank=1,
            sort_order=10,
        ),
        Level.objects.create(
            code="registrar_national",
            name="国家级技术合同认定登记员",
            name_en="National Technology-Contract Registrar",
            track=track,
            rank=2,
            sort_order=11,
        ),
    ]


def test_the_catalogue_offers_and_filters_by_a_level_added_as_data(client, registrar_levels):
    base = factories.training_base("GD-A", "44")
    factories.course(base, title="登记员培训班", level="registrar_provincial")
    factories.course(base, title="初级班")
    url = reverse("course_catalogue")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="registrar_provincial"' in page and "省级技术合同认定登记员" in page
    filtered = client.get(url, {"level": "registrar_provincial"}).content.decode()
    assert "登记员培训班" in filtered and "初级班" not in filtered
    # An unknown level is ignored like any other unknown filter: every course is listed.
    unknown = client.get(url, {"level": "<b>x</b>"}).content.decode()
    assert "登记员培训班" in unknown and "初级班" in unknown


def test_a_course_page_shows_its_level_by_name(client, registrar_levels):
    base = factories.training_base("GD-A", "44")
    course = factories.course(base, title="登记员培训班", level="registrar_provincial")
    page = client.get(course.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "省级技术合同认定登记员" in page


def test_questions_of_a_new_level_import_by_its_name_and_unknown_ones_are_listed(
    registrar_levels,
):
    base = factories.training_base("GD-A", "44")
    content = workbook_bytes(
        [
            headers(),
            row(type="判断题", stem="技术合同须经认定方可减免税", correct="对",
                category="政策法规", level="省级技术合同认定登记员"),
            row(type="判断题", stem="认定登记员须持证上岗", correct="对",
                category="政策法规", level="National Technology-Contract Registrar"),
        ]
    )  # fmt: skip
    parsed, errors = parse_questions_xlsx(content, base)
    assert errors == []
    assert [p.question.level_id for p in parsed] == ["registrar_provincial", "registrar_national"]

    unknown = row(type="判断题", stem="甲", correct="对", category="政策法规", level="登记员")
    bad = workbook_bytes([headers(), unknown])
    parsed, errors = parse_questions_xlsx(bad, base)
    assert [e.column for e in errors] == [dict(COLUMNS)["level"]]
    assert "省级技术合同认定登记员（registrar_provincial）" in errors[0].message
    assert not Question.objects.exists()


def test_after_an_exam_the_next_level_is_the_next_of_its_own_track(registrar_levels):
    base = factories.training_base("GD-A", "44")
    factories.course(base, title="国家级登记员班", level="registrar_national")
    factories.course(base, title="中级班", level="intermediate_broker")
    trainee = factories.UserFactory()
    results = {}
    for code in ("registrar_provincial", "junior_broker", "registrar_national"):
        paper = factories.exam(base, level=code)
        attempt = Attempt.objects.create(
            user=trainee, exam=paper, number=1, status=Attempt.Status.FINAL, passed=True,
            finalised_at=timezone.now(), deadline=timezone.now(),
        )  # fmt: skip
        results[code] = after_exam(attempt=attempt)
    assert results["registrar_provincial"].next_level == "registrar_national"
    assert results["registrar_provincial"].next_level_open_courses == 1
    assert results["junior_broker"].next_level == "intermediate_broker"
    assert results["registrar_national"].next_level == ""
