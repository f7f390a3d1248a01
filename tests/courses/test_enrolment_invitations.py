"""A base invites people to a course; only the person invited can accept, and only then does the
base see them. Issue 13: roster import was a way to put anyone's account on a roster and read
their contact details, and its preview said which addresses had an account."""

import datetime
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cms.services import training_base_editor_add, training_base_faculty_add
from courses.models import Enrolment, EnrolmentInvitation
from courses.services import enrolment_create
from portal.accounts.models import OutgoingMail
from tests import factories

pytestmark = pytest.mark.django_db

FUTURE = {
    "start_date": datetime.date.today() - datetime.timedelta(days=1),
    "end_date": datetime.date.today() + datetime.timedelta(days=60),
}


def says(content, *texts):
    return any(text in content for text in texts)


def csv_file(rows):
    text = "姓名,邮箱,手机,省份,单位\r\n" + "".join(",".join(row) + "\r\n" for row in rows)
    return SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def course(base):
    return factories.course(base, capacity=5, **FUTURE)


@pytest.fixture
def editor(base):
    user = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=user)
    return user


@pytest.fixture
def person():
    """An existing account, with details a harvester would want."""
    return factories.UserFactory(
        email="person@example.org",
        real_name="真名某",
        phone="13912345678",
        organisation="某某研究院",
        roles=["Trainee"],
    )


def import_rows(client, course, rows, capture):
    """Upload and confirm, as the signed-in editor; answers the preview response."""
    response = client.post(
        reverse("courses:roster_import", args=(course.pk,)), {"file": csv_file(rows)}
    )
    assert response.status_code == 200
    token = response.context["token"]
    assert token
    with capture(execute=True):
        client.post(reverse("courses:roster_import_confirm", args=(course.pk,)), {"token": token})
    return response


def invitation_urls(invitation):
    return {
        name: reverse(f"courses:{name}", args=(invitation.token,))
        for name in ("invitation", "invitation_accept", "invitation_decline")
    }


def roster_text(client, course):
    url = reverse("courses:roster", args=(course.pk,))
    page = client.get(url).content.decode()
    response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    return page + " " + cells


def test_importing_an_existing_address_invites_and_enrols_nobody(
    client, course, editor, person, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    import_rows(
        client,
        course,
        [["随便写", "Person@Example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    invitation = EnrolmentInvitation.objects.get(course=course)
    assert invitation.email == "person@example.org" and invitation.status == "pending"
    assert invitation.user is None and invitation.invited_by == editor
    assert not Enrolment.objects.filter(user=person).exists()
    assert [m.to for m in mail.outbox] == [["person@example.org"]]

    # The roster, on screen and as XLSX, shows nothing of that person: a count only.
    seen = roster_text(client, course)
    for detail in ("真名某", "person@example.org", "13912345678", "某某研究院"):
        assert detail not in seen
    assert says(seen, "1 invitation has not been accepted", "1 份邀请尚未被接受")

    # Once they accept, they are on the roster with their details, for their base's staff.
    client.force_login(person)
    response = client.post(invitation_urls(invitation)["invitation_accept"])
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(user=person, course=course)
    assert enrolment.source == Enrolment.Source.BULK
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.user == person
    client.force_login(editor)
    seen = roster_text(client, course)
    for detail in ("真名某", "person@example.org", "13912345678", "某某研究院"):
        assert detail in seen


def _preview_page(client, course, email, name="张三"):
    response = client.post(
        reverse("courses:roster_import", args=(course.pk,)),
        {"file": csv_file([[name, email, "", "", ""]])},
    )
    assert response.status_code == 200
    content = response.content.decode().replace(email, "ADDRESS")
    content = re.sub(r'name="token" value="[^"]*"', "", content)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content)


def test_the_preview_reads_the_same_for_existing_unknown_and_deactivated_addresses(
    client, course, editor, person
):
    inactive = factories.UserFactory(email="gone@example.org")
    inactive.is_active = False
    inactive.save()
    client.force_login(editor)
    existing = _preview_page(client, course, "person@example.org")
    unknown = _preview_page(client, course, "nobody-yet@example.org")
    deactivated = _preview_page(client, course, "gone@example.org")
    assert existing == unknown == deactivated
    assert says(existing, "Will be invited", "将发送邀请")
    for word in ("Existing account", "New account", "deactivated", "已有账号", "新账号", "停用"):
        assert word not in existing


def test_the_preview_says_already_invited_alike_for_anyone(
    client, course, editor, person, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    import_rows(
        client,
        course,
        [["甲", "person@example.org", "", "", ""], ["乙", "new@example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    # The existing account declines; the unknown address never answers.
    invitation = EnrolmentInvitation.objects.get(email="person@example.org")
    client.force_login(person)
    client.post(invitation_urls(invitation)["invitation_decline"])
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    client.force_login(editor)
    client.get(reverse("courses:roster_import", args=(course.pk,)))  # the flash messages go
    assert _preview_page(client, course, "person@example.org") == _preview_page(
        client, course, "new@example.org"
    )
    response = client.post(
        reverse("courses:roster_import", args=(course.pk,)),
        {"file": csv_file([["甲", "person@example.org", "", "", ""]])},
    )
    assert [row.status for row in response.context["preview"].rows] == ["invited"]
    assert not response.context["token"]  # nothing to send: nobody is asked twice


def test_another_account_cannot_see_accept_or_decline_an_invitation(
    client, course, editor, person, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    import_rows(
        client,
        course,
        [["甲", "person@example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    invitation = EnrolmentInvitation.objects.get()
    urls = invitation_urls(invitation)
    other = factories.UserFactory(roles=["Trainee"])
    # An unverified second address is not enough to claim it either.
    EmailAddress.objects.create(user=other, email="person@example.org", verified=False)
    for intruder in (other, editor):
        client.force_login(intruder)
        assert client.get(urls["invitation"]).status_code == 404
        assert client.post(urls["invitation_accept"]).status_code == 404
        assert client.post(urls["invitation_decline"]).status_code == 404
        assert "甲" not in client.get(reverse("my_learning")).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.user is None
    assert not course.enrolments.exists()
    # A made-up token answers exactly as someone else's does.
    client.force_login(other)
    for name in ("invitation_accept", "invitation_decline"):
        assert client.post(reverse(f"courses:{name}", args=("made-up-token",))).status_code == 404
    client.logout()
    response = client.post(urls["invitation_accept"])
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not course.enrolments.exists()


def test_a_hand_made_post_with_someone_elses_token_changes_nothing(
    client, course, editor, person, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    import_rows(
        client,
        course,
        [["甲", "person@example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    token = EnrolmentInvitation.objects.get().token
    attacker = factories.UserFactory(roles=["Trainee"])
    client.force_login(attacker)
    response = client.post(
        reverse("courses:invitation_accept", args=(token,)),
        {"user": person.pk, "email": "person@example.org"},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()
    assert EnrolmentInvitation.objects.get().status == "pending"


def test_the_trainee_sees_and_answers_invitations_on_my_learning(
    client, base, course, editor, person, django_capture_on_commit_callbacks
):
    second = factories.course(base, title="第二门课", **FUTURE)
    client.force_login(editor)
    for klass in (course, second):
        import_rows(
            client,
            klass,
            [["甲", "person@example.org", "", "", ""]],
            django_capture_on_commit_callbacks,
        )
    client.force_login(person)
    page = client.get(reverse("my_learning")).content.decode()
    assert says(page, "Invitations to courses", "课程邀请")
    first, other = (EnrolmentInvitation.objects.get(course=k) for k in (course, second))
    for invitation in (first, other):
        assert invitation_urls(invitation)["invitation_accept"] in page
        assert invitation_urls(invitation)["invitation_decline"] in page
    assert client.get(invitation_urls(first)["invitation"]).status_code == 200

    client.post(invitation_urls(first)["invitation_accept"])
    response = client.post(invitation_urls(other)["invitation_decline"], follow=True)
    assert says(response.content.decode(), "declined", "已谢绝")
    assert Enrolment.objects.filter(user=person, course=course).exists()
    assert not Enrolment.objects.filter(user=person, course=second).exists()
    page = client.get(reverse("my_learning")).content.decode()
    assert not says(page, "Invitations to courses", "课程邀请")
    # Answered once; answering again is refused with a message, not an error page.
    response = client.post(invitation_urls(other)["invitation_accept"], follow=True)
    assert response.status_code == 200
    assert says(response.content.decode(), "already been answered", "已答复")
    assert not Enrolment.objects.filter(user=person, course=second).exists()


def test_a_new_address_signs_up_then_accepts(
    client, course, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    import_rows(
        client,
        course,
        [["新人", "newcomer@example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    from portal.accounts.models import User

    assert not User.objects.filter(email="newcomer@example.org").exists()
    invitation = EnrolmentInvitation.objects.get()
    assert reverse("courses:invitation", args=(invitation.token,)) in mail.outbox[0].body
    newcomer = factories.UserFactory(email="newcomer@example.org")  # signs up, verified
    client.force_login(newcomer)
    client.post(invitation_urls(invitation)["invitation_accept"])
    assert Enrolment.objects.filter(user=newcomer, course=course).exists()


def test_a_verified_second_address_may_accept(client, course, editor):
    from courses.invitations import invitation_send

    invitation = invitation_send(course=course, email="work@example.org", by=editor)
    person = factories.UserFactory(email="home@example.org")
    EmailAddress.objects.create(user=person, email="Work@example.org", verified=True)
    client.force_login(person)
    client.post(invitation_urls(invitation)["invitation_accept"])
    assert Enrolment.objects.filter(user=person, course=course).exists()


def test_accepting_keeps_the_seat_and_date_rules(client, base, editor, person):
    from courses.invitations import invitation_send

    full = factories.course(base, capacity=1, **FUTURE)
    enrolment_create(user=factories.UserFactory(), course=full)
    ended = factories.course(
        base,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 1, 31),
    )
    client.force_login(person)
    for klass, message in ((full, ("full", "已满")), (ended, ("ended", "已结束"))):
        invitation = invitation_send(course=klass, email=person.email, by=editor)
        response = client.post(invitation_urls(invitation)["invitation_accept"], follow=True)
        assert response.status_code == 200
        assert says(response.content.decode(), *message)
        invitation.refresh_from_db()
        assert invitation.status == "pending"
    assert not Enrolment.objects.filter(user=person).exists()


def test_a_lapsed_invitation_cannot_be_accepted(client, course, editor, person):
    from courses.invitations import invitation_send

    invitation = invitation_send(
        course=course,
        email=person.email,
        by=editor,
        now=timezone.now() - datetime.timedelta(days=31),
    )
    client.force_login(person)
    assert "invitation_accept" not in client.get(reverse("my_learning")).content.decode()
    response = client.post(invitation_urls(invitation)["invitation_accept"], follow=True)
    assert says(response.content.decode(), "expired", "过期")
    assert not Enrolment.objects.filter(user=person).exists()


def test_contact_details_only_for_the_staff_of_the_courses_base(client, base, course, person):
    enrolment_create(user=person, course=course)
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    administrator = factories.UserFactory(roles=["Administrator"])
    other_staff = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=factories.training_base("SC-B", "51"), user=other_staff)

    client.force_login(teacher)
    seen = roster_text(client, course)
    assert "person@example.org" in seen and "13912345678" in seen and "真名某" in seen
    assert "广东" not in seen.replace(base.title, "")  # no province, for anyone

    client.force_login(administrator)
    seen = roster_text(client, course)
    assert "真名某" in seen and "某某研究院" in seen
    assert "person@example.org" not in seen and "13912345678" not in seen

    client.force_login(other_staff)
    url = reverse("courses:roster", args=(course.pk,))
    assert client.get(url).status_code == 403
    assert client.get(url + "?format=xlsx").status_code == 403


def test_a_course_with_the_longest_title_imports_with_a_cut_subject(
    client, base, editor, django_capture_on_commit_callbacks
):
    """The subject names the course: with a title as long as a title may be, it would not fit
    the queue's 255 characters (PostgreSQL refused it with a server error)."""
    long_course = factories.course(base, title="长" * 255, **FUTURE)
    client.force_login(editor)
    import_rows(
        client,
        long_course,
        [["甲", "jia@example.org", "", "", ""]],
        django_capture_on_commit_callbacks,
    )
    subject = OutgoingMail.objects.get().subject
    assert len(subject) <= 255 and subject.endswith("…")
    assert mail.outbox[0].subject == subject
    assert EnrolmentInvitation.objects.filter(course=long_course).exists()


def test_mail_queue_cuts_an_over_long_subject_and_keeps_a_short_one():
    from portal.accounts.mail import mail_queue, mail_queue_many

    long = mail_queue(to="a@example.org", subject="x" * 300, body_text="b")
    short = mail_queue(to="a@example.org", subject="Short", body_text="b")
    many = mail_queue_many([{"to": "b@example.org", "subject": "y" * 256, "body_text": "b"}])
    assert long.subject == "x" * 254 + "…"
    assert short.subject == "Short"
    assert many[0].subject == "y" * 254 + "…"
    stored = OutgoingMail.objects.order_by("pk").values_list("subject", flat=True)
    assert [len(s) for s in stored] == [255, 5, 255]
