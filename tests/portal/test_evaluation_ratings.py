"""Trainees' course ratings in the annual base evaluation's training results (培训绩效): the
figure beside the scores, the rule that says how it counts, and nothing for a small class."""

import datetime

import pytest
from django.urls import reverse

from courses.models import Enrolment
from courses.services_feedback import course_feedback_submit
from portal.oversight import selectors
from portal.oversight.models import BaseEvaluation
from tests.factories import UserFactory, course, sign_in, training_base, with_totp

pytestmark = pytest.mark.django_db

GOOD = {"facilities": "23", "organisation": "22", "results": "27", "innovation": "18"}


@pytest.fixture
def signed_in(client):
    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    return client


def _rated_class(base, size, slug):
    page = course(base, slug=slug, start_date=datetime.date(2025, 3, 1))
    page.end_date = datetime.date(2025, 4, 1)
    page.save()
    for n in range(size):
        person = UserFactory()
        Enrolment.objects.create(user=person, course=page, status=Enrolment.Status.COMPLETED)
        course_feedback_submit(
            user=person,
            course=page,
            ratings={"content": "5", "organisation": str(3 + n % 2), "usefulness": "4"},
        )
    return page


def test_the_evaluation_shows_the_average_rating_and_keeps_it(signed_in):
    base = training_base("GD-E")
    _rated_class(base, 5, "rated")
    figures = selectors.base_figures(base_id=base.pk, year=2025)
    # content 5, organisation (3+4+3+4+3)/5 = 3.4, usefulness 4: mean 4.13 -> 4.1
    assert str(figures.course_rating) == "4.1" and figures.course_rating_responses == 5
    assert selectors.base_figures(base_id=base.pk, year=2024).course_rating is None

    url = reverse("oversight_evaluation", args=[base.pk, 2025])
    page = signed_in.get(url).content.decode()
    assert 'data-figure="course_rating">4.1 / 5（5 份评价）<' in page
    # The rule says how ratings count, in the page that shows it.
    assert "学员对本年度培训班的匿名课程评价" in page and "至少 5 名学员" in page

    data = {f"{key}_score": value for key, value in GOOD.items()}
    signed_in.post(url, data)
    saved = BaseEvaluation.objects.get()
    assert saved.figures["course_rating"] == "4.1"
    assert saved.figures["course_rating_responses"] == 5


def test_a_class_of_three_gives_the_evaluation_no_rating(signed_in):
    base = training_base("GD-S")
    _rated_class(base, 3, "small")
    figures = selectors.base_figures(base_id=base.pk, year=2025)
    assert figures.course_rating is None and figures.course_rating_responses is None
    page = signed_in.get(reverse("oversight_evaluation", args=[base.pk, 2025])).content.decode()
    assert 'data-figure="course_rating"><span class="muted">评价人数太少，不予显示<' in page
