"""Leaving a class is hard to undo: a page says what it means, and only a confirmed post acts."""

import pytest
from django.urls import reverse

from courses.models import Enrolment
from courses.services import enrolment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(client):
    base = factories.training_base("GD-A", "44")
    course = factories.course(base)
    trainee = factories.UserFactory(roles=["Trainee"])
    client.force_login(trainee)
    return enrolment_create(user=trainee, course=course)


def test_the_course_page_asks_before_withdrawing(client, place):
    url = reverse("courses:withdraw", args=(place.course_id,))
    page = client.get(place.course.url).content.decode()
    assert f'href="{url}"' in page  # a link to the question, not a one-click form
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "退出课程？" in text and "是，退出课程" in text and "不，保留我的名额" in text
    place.refresh_from_db()
    assert place.status == Enrolment.Status.ACTIVE


def test_a_post_without_the_confirmation_changes_nothing(client, place):
    url = reverse("courses:withdraw", args=(place.course_id,))
    for data in ({}, {"confirm": "no"}, {"confirm": "YES "}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "是，退出课程" in response.content.decode()
    place.refresh_from_db()
    assert place.status == Enrolment.Status.ACTIVE


def test_the_confirmed_post_withdraws(client, place):
    url = reverse("courses:withdraw", args=(place.course_id,))
    response = client.post(url, {"confirm": "yes"}, follow=True)
    place.refresh_from_db()
    assert place.status == Enrolment.Status.WITHDRAWN
    assert "您已退出该课程" in response.content.decode()
    # Again: nothing left to withdraw from, said plainly.
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert "没有可退出的有效名额" in response.content.decode()


def test_nobody_withdraws_someone_else(client, place):
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    url = reverse("courses:withdraw", args=(place.course_id,))
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    place.refresh_from_db()
    assert place.status == Enrolment.Status.ACTIVE
