"""The annual base evaluation (考核): measured figures, the grading rule, bad scores, history,
who may see it, and the year's XLSX export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.models import Certificate
from courses.models import Attempt, Enrolment, LessonCredit, LessonPage
from portal.oversight import selectors, services
from portal.oversight.models import BaseEvaluation, BaseEvaluationRevision
from portal.oversight.rules import current_rule, grade_for
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import (
    UserFactory,
    course,
    exam,
    faculty_member,
    password_only_login,
    sign_in,
    textbook,
    training_base,
    with_totp,
)

pytestmark = pytest.mark.django_db

GOOD = {"facilities": "23", "organisation": "22", "results": "27", "innovation": "18"}


@pytest.fixture
def client(client):
    """Pages in English, so the assertions read the English messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def chief():
    return with_totp(UserFactory(roles=["Administrator"], real_name="主管甲"))


@pytest.fixture
def signed_in(client, chief):
    sign_in(client, chief)
    return client


@pytest.fixture
def base():
    return training_base("GD-A")


def form_data(scores=GOOD, **extra):
    data = {f"{key}_score": value for key, value in scores.items()}
    data.update({f"{key}_comment": f"{key} 评语" for key in scores})
    data["overall_comment"] = "总体良好"
    data.update(extra)
    return data


def aware(year, month=6, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def evaluate(base, year, scores=GOOD, actor=None):
    return services.evaluation_save(
        base_id=base.pk,
        year=year,
        scores=scores,
        comments={},
        overall_comment="",
        actor=actor or UserFactory(roles=["Administrator"]),
    )


# -- measured figures ------------------------------------------------------------------------


def _class(base, year, slug):
    page = course(base, slug=slug)
    type(page).objects.filter(pk=page.pk).update(
        start_date=datetime.date(year, 3, 1), end_date=datetime.date(year, 3, 31)
    )
    return page


def _enrol(page, status=Enrolment.Status.ACTIVE, credit_lessons=True):
    enrolment = Enrolment.objects.create(user=UserFactory(), course=page, status=status)
    if credit_lessons:
        for lesson in LessonPage.objects.descendant_of(page).specific():
            LessonCredit.objects.create(
                enrolment=enrolment,
                lesson=lesson,
                hours=lesson.hours,
                category=lesson.get_parent().specific.category,
                method=LessonCredit.Method.ONLINE,
            )
    return enrolment


def _attempt(paper, passed, when, status=Attempt.Status.FINAL):
    return Attempt.objects.create(
        exam=paper,
        user=UserFactory(),
        number=1,
        status=status,
        deadline=when,
        submitted_at=when,
        finalised_at=when if status == Attempt.Status.FINAL else None,
        score=Decimal("80") if passed else Decimal("40"),
        max_score=Decimal("100"),
        passed=passed if status == Attempt.Status.FINAL else None,
    )


def test_figures_count_the_bases_own_year_and_nothing_of_other_bases_or_years(base):
    other = training_base("SH-B")
    # This base, 2025: two classes; three people enrolled, one of them withdrew.
    first, second = _class(base, 2025, "c2025a"), _class(base, 2025, "c2025b")
    _enrol(first)  # 1.5 + 2 hours
    _enrol(first, credit_lessons=False)
    _enrol(second)  # 3.5 hours
    _enrol(second, status=Enrolment.Status.WITHDRAWN, credit_lessons=False)
    # This base, another year; another base, the same year.
    _enrol(_class(base, 2024, "c2024"))
    _enrol(_class(other, 2025, "o2025"))
    own_exam, other_exam = exam(base), exam(other)
    _attempt(own_exam, True, aware(2025))
    _attempt(own_exam, True, aware(2025, 11))
    _attempt(own_exam, False, aware(2025, 12))
    _attempt(own_exam, True, aware(2024))
    _attempt(own_exam, None, aware(2025), status=Attempt.Status.AWAITING_GRADING)
    _attempt(other_exam, False, aware(2025))
    faculty_member(base, "甲老师")
    faculty_member(base, "乙老师")
    faculty_member(other, "丙老师")
    textbook(base)
    textbook(other)
    textbook(other)

    figures = selectors.base_figures(base_id=base.pk, year=2025)

    assert figures.classes == 2
    assert figures.trainees == 3
    assert figures.hours == Decimal("7.0")
    assert (figures.exam_attempts, figures.exam_passes) == (3, 2)
    assert figures.pass_rate == Decimal("66.7")
    assert (figures.faculty, figures.textbooks) == (2, 1)
    assert figures.certificates == 0
    empty = selectors.base_figures(base_id=base.pk, year=2023)
    assert (empty.classes, empty.trainees, empty.hours, empty.pass_rate) == (0, 0, 0, None)


def test_certificates_count_the_bases_own_body_in_the_year():
    own_base, other_base = training_base("GD-C"), training_base("SH-D")
    own_body = certifying_body("GC", training_base=own_base)
    other_body = certifying_body("SD", training_base=other_base)
    actor = certifier(own_body)
    other_body.certifiers.add(actor)
    kept = issued_certificate(UserFactory(), own_body, actor)
    earlier = issued_certificate(UserFactory(), own_body, actor)
    issued_certificate(UserFactory(), other_body, actor)
    year = kept.issued_on.year
    Certificate.objects.filter(pk=earlier.pk).update(
        issued_on=datetime.date(year - 1, 5, 1), year=year - 1
    )

    assert selectors.base_figures(base_id=own_base.pk, year=year).certificates == 1
    assert selectors.base_figures(base_id=own_base.pk, year=year - 1).certificates == 1
    assert selectors.base_figures(base_id=other_base.pk, year=year).certificates == 1


def test_the_form_shows_the_measured_figures_beside_the_scores_and_keeps_them(signed_in, base):
    _enrol(_class(base, 2025, "c1"))
    faculty_member(base)
    response = signed_in.get(reverse("oversight_evaluation", args=[base.pk, 2025]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="classes">1<' in page
    assert 'data-figure="hours">3.5<' in page
    assert 'data-figure="faculty">1<' in page
    assert "at least 90" in page and "Any criterion below its floor" in page

    signed_in.post(reverse("oversight_evaluation", args=[base.pk, 2025]), form_data())
    saved = BaseEvaluation.objects.get()
    assert saved.figures["classes"] == 1 and saved.figures["hours"] == "3.5"
    assert saved.rule["thresholds"]["excellent"] == "90"


# -- the grading rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scores, grade",
    [
        ((23, 22, 27, 18), "excellent"),  # 90
        ((23, 22, 26.5, 18), "good"),  # 89.5
        ((19, 19, 22, 15), "good"),  # 75
        ((19, 19, 21.5, 15), "pass"),  # 74.5
        ((15, 15, 18, 12), "pass"),  # 60, every criterion at its floor
        ((15, 15, 18, 11.5), "fail"),  # 59.5
        ((25, 25, 30, 11.5), "pass"),  # 91.5, but innovation below its floor
        ((25, 14.5, 30, 20), "pass"),  # 89.5, organisation below its floor
        ((0, 0, 0, 0), "fail"),
        ((25, 25, 30, 20), "excellent"),
    ],
)
def test_the_grade_follows_the_rule_at_its_boundaries(scores, grade):
    rule = current_rule()
    keys = ["facilities", "organisation", "results", "innovation"]
    values = {key: Decimal(str(score)) for key, score in zip(keys, scores, strict=True)}
    assert grade_for(values, rule)[1] == grade


def test_an_administrator_may_change_the_rule_in_settings(settings):
    settings.PORTAL_EVALUATION_RULE = {"thresholds": {"excellent": 95}}
    values = {key: Decimal(value) for key, value in GOOD.items()}  # 90
    assert grade_for(values, current_rule())[1] == "good"


# -- bad scores ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("facilities", "-1", "The Facilities score cannot be negative."),
        ("results", "30.5", "The Training results score can be at most 30."),
        ("innovation", "abc", "The Innovation score must be a number, such as 18 or 18.5."),
        ("organisation", "NaN", "The Training organisation score must be a number"),
        ("organisation", "", "Give a score for Training organisation."),
        ("facilities", "12.25", "at most one decimal place"),
    ],
)
def test_a_bad_score_is_refused_with_its_message_and_nothing_is_saved(
    signed_in, base, field, value, message
):
    before = (BaseEvaluation.objects.count(), BaseEvaluationRevision.objects.count())
    response = signed_in.post(
        reverse("oversight_evaluation", args=[base.pk, 2025]),
        form_data({**GOOD, field: value}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Nothing was saved" in page
    assert (BaseEvaluation.objects.count(), BaseEvaluationRevision.objects.count()) == before


def test_several_bad_scores_each_get_a_message_and_an_earlier_version_stays(signed_in, base):
    first = evaluate(base, 2025)
    response = signed_in.post(
        reverse("oversight_evaluation", args=[base.pk, 2025]),
        form_data({**GOOD, "facilities": "26", "innovation": "-3"}),
    )
    page = response.content.decode()
    assert "The Facilities score can be at most 25." in page
    assert "The Innovation score cannot be negative." in page
    first.refresh_from_db()
    assert first.facilities_score == Decimal("23") and first.revisions.count() == 1


def test_the_service_refuses_out_of_range_scores_on_its_own(base):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        evaluate(base, 2025, {**GOOD, "results": "31"})
    assert "results_score" in raised.value.message_dict
    assert not BaseEvaluation.objects.exists()


# -- one per base and year, with history -----------------------------------------------------


def test_one_evaluation_per_base_and_year_and_editing_keeps_every_version(signed_in, base, chief):
    url = reverse("oversight_evaluation", args=[base.pk, 2025])
    response = signed_in.post(url, form_data())
    assert response.status_code == 302
    signed_in.post(url, form_data({**GOOD, "innovation": "10"}, overall_comment="创新不足"))

    evaluation = BaseEvaluation.objects.get()
    assert (evaluation.grade, evaluation.innovation_score) == ("pass", Decimal("10"))
    assert evaluation.evaluated_by == chief
    versions = list(evaluation.revisions.order_by("number"))
    assert [(v.number, v.grade, v.innovation_score) for v in versions] == [
        (1, "excellent", Decimal("18")),
        (2, "pass", Decimal("10")),
    ]
    page = signed_in.get(reverse("oversight_evaluation_history", args=[base.pk])).content.decode()
    assert 'data-year="2025" data-version="1"' in page
    assert 'data-year="2025" data-version="2"' in page
    assert "创新不足" in page

    with pytest.raises(IntegrityError), transaction.atomic():
        BaseEvaluation.objects.create(
            base=base,
            year=2025,
            facilities_score=1,
            organisation_score=1,
            results_score=1,
            innovation_score=1,
            total=4,
            grade="fail",
            evaluated_by=chief,
            evaluated_at=timezone.now(),
        )
    with pytest.raises(ValueError):
        versions[0].save()


# -- who may enter ---------------------------------------------------------------------------


def _urls(base):
    return [
        reverse("oversight_evaluations"),
        reverse("oversight_evaluation", args=[base.pk, 2025]),
        reverse("oversight_evaluation_history", args=[base.pk]),
        reverse("oversight_evaluation_export", args=[2025]),
    ]


def test_only_administrators_reach_the_pages(client, base):
    from cms.services import training_base_editor_add

    for url in _urls(base):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    editor = UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    for person in (UserFactory(roles=["Trainee"]), editor):
        client.force_login(person)
        for url in _urls(base):
            assert client.get(url).status_code == 403
        assert client.post(_urls(base)[1], form_data()).status_code == 403
    assert not BaseEvaluation.objects.exists()


def test_an_administrator_needs_the_second_factor(client, chief, base):
    password_only_login(client, chief)  # no two-factor step in this session
    response = client.get(reverse("oversight_evaluations"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_header_links_administrators_to_the_evaluations(signed_in, client):
    link = f'href="{reverse("oversight_evaluations")}"'
    assert link in signed_in.get(reverse("my_learning")).content.decode()
    signed_in.logout()
    client.force_login(UserFactory(roles=["Trainee"]))
    assert link not in client.get(reverse("my_learning")).content.decode()


# -- the list and the export -----------------------------------------------------------------


def test_the_list_shows_each_bases_status_and_grade_for_the_year(signed_in, base):
    other = training_base("SH-B", title="上海基地")
    evaluate(base, 2025)
    evaluate(other, 2024, {**GOOD, "results": "10"})
    page = signed_in.get(reverse("oversight_evaluations"), {"year": 2025}).content.decode()
    assert "excellent" in page and "not evaluated" in page and "上海基地" in page
    assert "1 of 2 bases evaluated." in page


def test_a_bad_year_filter_is_explained_and_an_impossible_year_is_not_found(signed_in, base):
    page = signed_in.get(reverse("oversight_evaluations"), {"year": "20x5"}).content.decode()
    assert "is not a year between 2000 and" in page
    assert signed_in.get(reverse("oversight_evaluation", args=[base.pk, 1999])).status_code == 404
    assert signed_in.get(reverse("oversight_evaluation", args=[base.pk, 9999])).status_code == 404
    assert signed_in.get(reverse("oversight_evaluation", args=[987654, 2025])).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries_however_many_bases(signed_in, base):
    evaluate(base, 2025)
    url = reverse("oversight_evaluations") + "?year=2025"
    signed_in.get(url)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(url)
    for n in range(4):
        evaluate(training_base(f"X-{n}"), 2025)
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(url)
    assert response.content.decode().count("data-base=") == 5
    assert len(many) == len(few)
    assert len(many) <= 15


def test_the_export_has_one_row_per_evaluated_base_with_its_grade(signed_in, base):
    other = training_base("SH-B", title="上海基地")
    training_base("BJ-C")  # not evaluated
    evaluate(base, 2025)
    evaluate(other, 2025, {**GOOD, "results": "0", "innovation": "5"})  # 50
    evaluate(other, 2024)
    response = signed_in.get(reverse("oversight_evaluation_export", args=[2025]))
    assert response.status_code == 200
    assert "base-evaluations-2025.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "基地" and "等级" in header
    grade_at = header.index("等级")
    assert sorted((row[1], row[3], row[grade_at]) for row in body) == [
        ("GD-A", 2025, "优秀"),
        ("SH-B", 2025, "不合格"),
    ]
