"""The demo's faculty pool: the demo teacher's page linked to her account with her
qualifications, and a class of another base she accepted to teach; running the demo again adds
nothing."""

import pytest
from django.core.management import call_command

from courses.models import FacultyAccountLink, LessonPage, TeachingInvitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def test_the_demo_holds_a_linked_teacher_and_an_accepted_cross_base_invitation(client):
    call_command("seed_demo")
    link = FacultyAccountLink.objects.get(status="accepted")
    assert link.user.email == "faculty@demo.local" and link.page.slug == "zhou-xiaotong"
    assert "中级技术经纪人" in link.page.certificates
    invitation = TeachingInvitation.objects.get()
    assert invitation.status == "accepted" and invitation.user == link.user
    assert invitation.course.get_parent().get_parent().specific.short_code == "SH-CSJ"
    taught = LessonPage.objects.filter(teacher=link.page).count()
    assert taught >= 2

    call_command("seed_demo")
    assert FacultyAccountLink.objects.count() == 1
    assert TeachingInvitation.objects.count() == 1
    assert LessonPage.objects.filter(teacher=link.page).count() == taught

    # The pool shows her record: classes at two bases, none of her trainees' names.
    html = client.get(f"/faculty/{link.page_id}/").content.decode()
    assert "周晓彤" in html and "受邀教师" in html and "技术合同登记员" in html
    assert "张伟" not in html
