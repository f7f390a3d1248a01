"""Who teaches: a base's editor links a faculty page to its teacher's account (the teacher
accepts; nobody claims another's page), invites a teacher of another base to one class
(accepting grants that class's attendance and grading, nothing else of the base), and the
teaching record the portal keeps."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from certification.audit.models import AuditEntry
from cms.services import training_base_editor_add, training_base_faculty_add
from courses import teaching
from courses.models import (
    FacultyAccountLink,
    LessonPage,
    TeachingInvitation,
)
from courses.services import attempt_start, attempt_submit, enrolment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bases():
    return factories.training_base("GD-A", "44"), factories.training_base("SC-B", "51")


@pytest.fixture
def editor_a(bases):
    user = factories.UserFactory(roles=["Base editor"], email="editor-a@example.org")
    training_base_editor_add(base=bases[0], user=user)
    return user


@pytest.fixture
def editor_b(bases):
    user = factories.UserFactory(roles=["Base editor"], email="editor-b@example.org")
    training_base_editor_add(base=bases[1], user=user)
    return user


@pytest.fixture
def teacher_b(bases):
    """A teacher of base B with a faculty page there (not yet linked)."""
    user = factories.UserFactory(roles=["Faculty"], email="lin@example.org", real_name="林老师")
    training_base_faculty_add(base=bases[1], user=user)
    return user


@pytest.fixture
def page_b(bases):
    return factories.faculty_member(bases[1], name="林老师", specialties=("技术评估",))


def _linked(page, user, editor):
    link = teaching.faculty_link_request(page=page, email=user.email, by=editor)
    return teaching.faculty_link_answer(link_id=link.pk, user=user, accept=True)


# -- linking ---------------------------------------------------------------------------------


def test_an_editor_asks_and_only_the_teacher_links_their_page(
    client, bases, editor_b, teacher_b, page_b, django_capture_on_commit_callbacks
):
    client.force_login(editor_b)
    url = reverse("courses:faculty_link", args=(page_b.pk,))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "LIN@example.org"}, follow=True)
    assert "已通过电子邮件询问该教师" in response.content.decode()
    link = FacultyAccountLink.objects.get(page=page_b)
    assert link.status == "pending" and link.user == teacher_b
    assert [m.to for m in mail.outbox] == [["lin@example.org"]]
    # Nothing is linked until the teacher answers.
    assert teaching.faculty_link_of(user_id=teacher_b.pk) is None

    # Another teacher of the same base, even signed in, cannot accept it: it is not theirs.
    other = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=bases[1], user=other)
    client.force_login(other)
    answer_url = reverse("courses:faculty_link_answer", args=(link.pk,))
    assert client.post(answer_url, {"answer": "accept"}).status_code == 404
    link.refresh_from_db()
    assert link.status == "pending"

    client.force_login(teacher_b)
    page = client.get(reverse("courses:my_teaching")).content.decode()
    assert page_b.title in page
    client.post(answer_url, {"answer": "accept"})
    link.refresh_from_db()
    assert link.status == "accepted"
    assert teaching.faculty_link_of(user_id=teacher_b.pk).page_id == page_b.pk
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "faculty_link.requested" in actions and "faculty_link.accepted" in actions

    # Answering twice changes nothing.
    response = client.post(answer_url, {"answer": "decline"}, follow=True)
    assert "已经答复" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "accepted"


def test_an_editor_cannot_link_an_account_outside_the_base_faculty(client, bases, editor_b, page_b):
    stranger = factories.UserFactory(roles=["Faculty"], email="stranger@example.org")
    client.force_login(editor_b)
    url = reverse("courses:faculty_link", args=(page_b.pk,))
    response = client.post(url, {"email": "stranger@example.org"}, follow=True)
    assert "没有使用该电子邮件地址的教师" in response.content.decode()
    assert not FacultyAccountLink.objects.filter(user=stranger).exists()


def test_a_person_cannot_link_their_own_account_to_someone_elses_page(
    client, bases, teacher_b, page_b
):
    """A teacher is no editor: they can neither open the link form nor post it for a page."""
    client.force_login(teacher_b)
    url = reverse("courses:faculty_link", args=(page_b.pk,))
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": teacher_b.email}).status_code == 403
    assert not FacultyAccountLink.objects.exists()
    with pytest.raises(teaching.TeachingError):
        teaching.faculty_link_request(page=page_b, email=teacher_b.email, by=teacher_b)


def test_an_editor_of_base_a_cannot_link_or_edit_base_b_faculty(
    client, bases, editor_a, teacher_b, page_b
):
    client.force_login(editor_a)
    url = reverse("courses:faculty_link", args=(page_b.pk,))
    assert client.post(url, {"email": teacher_b.email}).status_code == 403
    assert not FacultyAccountLink.objects.exists()
    # Nor edit the page itself in the admin: it lies outside their base's subtree.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page_b.pk,)))
    assert edit.status_code in (302, 403)
    assert "林老师" not in edit.content.decode()


def test_one_page_per_account_and_one_account_per_page(bases, editor_b, teacher_b, page_b):
    _linked(page_b, teacher_b, editor_b)
    second_page = factories.faculty_member(bases[1], name="林老师（重复）")
    with pytest.raises(teaching.TeachingError, match="已关联"):
        teaching.faculty_link_request(page=second_page, email=teacher_b.email, by=editor_b)
    other = factories.UserFactory(roles=["Faculty"], email="other@example.org")
    training_base_faculty_add(base=bases[1], user=other)
    with pytest.raises(teaching.TeachingError, match="已关联"):
        teaching.faculty_link_request(page=page_b, email=other.email, by=editor_b)


# -- invitations -----------------------------------------------------------------------------


@pytest.fixture
def class_a(bases):
    today = dt.date.today()
    return factories.course(
        bases[0],
        lessons=[("practice", "3", "in_person"), ("general", "1", "online")],
        start_date=today,
        end_date=today + dt.timedelta(days=30),
    )


def _invite(client, editor, page, course, capture):
    client.force_login(editor)
    with capture(execute=True):
        return client.post(
            reverse("courses:teaching_invite", args=(page.pk,)),
            {"course": course.pk, "message": "欢迎来授课"},
            follow=True,
        )


def test_a_base_invites_a_teacher_of_another_base_who_accepts_one_class_only(
    client,
    bases,
    editor_a,
    editor_b,
    teacher_b,
    page_b,
    class_a,
    django_capture_on_commit_callbacks,
):
    _linked(page_b, teacher_b, editor_b)
    other_class = factories.course(
        bases[0], title="另一个班", slug="other-class", lessons=[("practice", "2", "in_person")]
    )
    _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    invitation = TeachingInvitation.objects.get()
    assert invitation.user == teacher_b and invitation.status == "pending"
    assert mail.outbox[-1].to == ["lin@example.org"]
    assert "欢迎来授课" in mail.outbox[-1].body

    session = LessonPage.objects.descendant_of(class_a).get(delivery="in_person")
    other_session = LessonPage.objects.descendant_of(other_class).get()
    client.force_login(teacher_b)
    # Before accepting: no rights over the class.
    assert client.get(reverse("courses:attendance", args=(session.pk,))).status_code == 403

    answer = reverse("courses:teaching_invitation_answer", args=(invitation.pk,))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer, {"answer": "accept"})
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert mail.outbox[-1].to == ["editor-a@example.org"]

    trainee = factories.UserFactory(roles=["Trainee"], real_name="张学员")
    enrolment = enrolment_create(user=trainee, course=class_a)
    sheet = client.get(reverse("courses:attendance", args=(session.pk,)))
    assert sheet.status_code == 200 and "张学员" in sheet.content.decode()
    client.post(reverse("courses:attendance", args=(session.pk,)), {"present": [enrolment.pk]})
    assert enrolment.attendance.get().present

    # Nothing else of base A: another class's sheet, the base's admin pages.
    assert client.get(reverse("courses:attendance", args=(other_session.pk,))).status_code == 403
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(class_a.pk,)))
    assert edit.status_code in (302, 403)
    assert not teacher_b.groups.filter(training_base_faculty_workspace__base=bases[0]).exists()

    # Accepting twice is refused and changes nothing.
    response = client.post(answer, {"answer": "decline"}, follow=True)
    assert "已经答复" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"teaching_invitation.sent", "teaching_invitation.accepted"} <= actions


def test_an_invitation_accepted_by_the_wrong_person_is_refused(
    client,
    bases,
    editor_a,
    editor_b,
    teacher_b,
    page_b,
    class_a,
    django_capture_on_commit_callbacks,
):
    _linked(page_b, teacher_b, editor_b)
    _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    invitation = TeachingInvitation.objects.get()
    answer = reverse("courses:teaching_invitation_answer", args=(invitation.pk,))
    for intruder in (editor_a, editor_b, factories.UserFactory(roles=["Faculty"])):
        client.force_login(intruder)
        assert client.post(answer, {"answer": "accept"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_invitation_refusals(
    client,
    bases,
    editor_a,
    editor_b,
    teacher_b,
    page_b,
    class_a,
    django_capture_on_commit_callbacks,
):
    # Not linked yet: cannot be invited.
    response = _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    assert "尚未关联账号" in response.content.decode()
    _linked(page_b, teacher_b, editor_b)
    # An editor of base B cannot invite to base A's class (the form offers only their classes,
    # and a forged post names a class not theirs).
    response = _invite(client, editor_b, page_b, class_a, django_capture_on_commit_callbacks)
    assert "请选择本基地的一个班级" in response.content.decode()
    with pytest.raises(teaching.TeachingError):
        teaching.teaching_invitation_send(course=class_a, faculty_page=page_b, by=editor_b)
    # A teacher of the class's own base is not "invited".
    own_page = factories.faculty_member(bases[0], name="本基地老师")
    with pytest.raises(teaching.TeachingError, match="本基地"):
        teaching.teaching_invitation_send(course=class_a, faculty_page=own_page, by=editor_a)
    # Twice to the same class.
    _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    response = _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    assert "已被邀请" in response.content.decode()
    assert TeachingInvitation.objects.count() == 1
    # A trainee may not open the form at all.
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    assert client.get(reverse("courses:teaching_invite", args=(page_b.pk,))).status_code == 403


def test_an_invited_teacher_grades_that_class_exam_only(
    client, bases, editor_a, editor_b, teacher_b, page_b, class_a
):
    _linked(page_b, teacher_b, editor_b)
    invitation = teaching.teaching_invitation_send(course=class_a, faculty_page=page_b, by=editor_a)
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher_b, accept=True)
    factories.questions(bases[0])
    written = [
        {"type": "single", "category": "general", "count": 1},
        {"type": "short", "category": "practice", "count": 1},
    ]
    exam = factories.exam(bases[0], class_a, blueprint=written)
    other_class = factories.course(bases[0], title="另一个班", slug="other-class")
    other_exam = factories.exam(bases[0], other_class, blueprint=written, title="另一场考试")

    def hand_in(course, an_exam):
        trainee = factories.UserFactory(roles=["Trainee"])
        enrolment_create(user=trainee, course=course)
        attempt = attempt_start(user=trainee, exam=an_exam)
        attempt_submit(
            attempt=attempt,
            answers={q.position: "答案" for q in attempt.questions.filter(type="short")},
        )
        return attempt

    mine, theirs = hand_in(class_a, exam), hand_in(other_class, other_exam)
    client.force_login(teacher_b)
    queue = client.get(reverse("courses:grading")).content.decode()
    assert exam.title in queue and "另一场考试" not in queue
    assert client.get(reverse("courses:grading_attempt", args=(mine.pk,))).status_code == 200
    assert client.get(reverse("courses:grading_attempt", args=(theirs.pk,))).status_code == 403


# -- the teaching record ---------------------------------------------------------------------


def test_teaching_record_counts_sessions_classes_and_hides_small_pass_rates(
    bases, editor_a, editor_b, teacher_b, page_b, class_a
):
    session = LessonPage.objects.descendant_of(class_a).get(delivery="in_person")
    _linked(page_b, teacher_b, editor_b)
    invitation = teaching.teaching_invitation_send(course=class_a, faculty_page=page_b, by=editor_a)
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher_b, accept=True)
    session.teacher = page_b
    session.save_revision().publish()
    for _ in range(3):
        enrolment_create(user=factories.UserFactory(roles=["Trainee"]), course=class_a)
    record = teaching.teaching_record(faculty_page_id=page_b.pk)
    assert [c.course_id for c in record.classes] == [class_a.pk]
    assert record.classes[0].as_guest is True  # by the invitation, and a lesson of it
    assert record.sessions == 1 and record.online_lessons == 0
    assert record.trainees == 3
    assert record.classes[0].pass_rate is None and record.pass_rate is None
    assert teaching.teaching_counts(faculty_page_ids=[page_b.pk]) == {page_b.pk: (1, 1)}


def test_pass_rate_shown_from_five_trainees(bases, class_a):
    from courses.models import Attempt

    factories.questions(bases[0])
    exam = factories.exam(bases[0], class_a)
    own = factories.faculty_member(bases[0], name="本基地老师")
    class_a.faculty.add(own)
    class_a.save_revision().publish()
    trainees = [factories.UserFactory(roles=["Trainee"]) for _ in range(5)]
    for number, trainee in enumerate(trainees):
        enrolment_create(user=trainee, course=class_a)
        attempt = attempt_start(user=trainee, exam=exam)
        attempt_submit(attempt=attempt, answers={})
        Attempt.objects.filter(pk=attempt.pk).update(status="final", passed=number < 4)
    record = teaching.teaching_record(faculty_page_id=own.pk)
    assert record.classes[0].sat_exam == 5
    assert record.classes[0].pass_rate == 80 and record.pass_rate == 80


def _lesson_form(session, module, teacher, user):
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    form_class = LessonPage.get_edit_handler().get_form_class()
    data = nested_form_data(
        {
            "title": session.title,
            "slug": session.slug,
            "hours": "3",
            "delivery": "in_person",
            "required": "on",
            "summary": rich_text(""),
            "body": streamfield([]),
            "session_starts": session.session_starts.strftime("%Y-%m-%d %H:%M"),
            "location": "报告厅",
            "teacher": teacher.pk,
            "comments": inline_formset([]),
        }
    )
    return form_class(data, instance=session, parent_page=module, for_user=user)


def test_a_base_cannot_name_another_bases_teacher_without_an_accepted_invitation(
    bases, editor_a, editor_b, teacher_b, page_b, class_a
):
    session = LessonPage.objects.descendant_of(class_a).get(delivery="in_person")
    module = session.get_parent()
    form = _lesson_form(session, module, page_b, editor_a)
    assert not form.is_valid()
    assert "其他基地的教师" in str(form.errors["teacher"])
    # Also for a lesson not saved yet, judged by where it goes; and for the class's faculty.
    new = LessonPage(title="新课", slug="new", hours=1, delivery="online")
    assert teaching.teachers_refused(page=new, teacher_ids=[page_b.pk], parent=module) == [
        page_b.title
    ]
    assert teaching.teachers_refused(page=class_a, teacher_ids=[page_b.pk]) == [page_b.title]
    # Its own base's teachers are fine; so is the other base's once the invitation is accepted.
    own = factories.faculty_member(bases[0], name="本基地老师")
    assert _lesson_form(session, module, own, editor_a).is_valid()
    _linked(page_b, teacher_b, editor_b)
    invitation = teaching.teaching_invitation_send(course=class_a, faculty_page=page_b, by=editor_a)
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher_b, accept=True)
    form = _lesson_form(session, module, page_b, editor_a)
    assert form.is_valid(), form.errors
    assert teaching.teachers_refused(page=class_a, teacher_ids=[page_b.pk]) == []


# -- ending a link, withdrawing an invitation ------------------------------------------------


def test_the_teacher_or_their_bases_editor_ends_a_link_and_nobody_else(
    client, bases, editor_a, editor_b, teacher_b, page_b, django_capture_on_commit_callbacks
):
    link = _linked(page_b, teacher_b, editor_b)
    end = reverse("courses:faculty_link_end", args=(link.pk,))
    # Another base's editor, or a stranger, by a hand-made POST: not theirs to end.
    for outsider in (editor_a, factories.UserFactory()):
        client.force_login(outsider)
        assert client.post(end).status_code == 404
    link.refresh_from_db()
    assert link.status == "accepted"
    # The teacher unlinks their own account from "my teaching".
    client.force_login(teacher_b)
    assert "data-link-end" in client.get(reverse("courses:my_teaching")).content.decode()
    assert client.post(end)["Location"] == reverse("courses:my_teaching")
    link.refresh_from_db()
    assert link.status == "ended" and link.ended_at is not None
    assert teaching.faculty_link_of(user_id=teacher_b.pk) is None
    assert client.post(end, follow=True).status_code == 200  # again: a message, no change
    # The page can be linked anew, and this time the base's editor ends it (the teacher left):
    # the teacher is told by e-mail.
    again = _linked(page_b, teacher_b, editor_b)
    client.force_login(editor_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("courses:faculty_link_end", args=(again.pk,)))
    again.refresh_from_db()
    assert again.status == "ended"
    assert mail.outbox[-1].to == ["lin@example.org"]
    assert AuditEntry.objects.filter(action="faculty_link.ended").count() == 2


def test_the_inviting_base_withdraws_an_invitation_and_the_class_rights_end(
    client,
    bases,
    editor_a,
    editor_b,
    teacher_b,
    page_b,
    class_a,
    django_capture_on_commit_callbacks,
):
    _linked(page_b, teacher_b, editor_b)
    _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    invitation = TeachingInvitation.objects.get()
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher_b, accept=True)
    session = LessonPage.objects.descendant_of(class_a).get(delivery="in_person")
    sheet = reverse("courses:attendance", args=(session.pk,))
    client.force_login(teacher_b)
    assert client.get(sheet).status_code == 200
    withdraw = reverse("courses:teaching_invitation_withdraw", args=(invitation.pk,))
    # Neither the teacher nor the teacher's own base may withdraw base A's invitation.
    for outsider in (teacher_b, editor_b):
        client.force_login(outsider)
        assert client.post(withdraw).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw)
    assert response["Location"] == reverse("courses:teaching_invite", args=(page_b.pk,))
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    assert mail.outbox[-1].to == ["lin@example.org"]
    client.force_login(teacher_b)
    assert client.get(sheet).status_code == 403
    assert AuditEntry.objects.filter(action="teaching_invitation.withdrawn").exists()
    # Withdrawn is final; the class may invite the teacher again.
    client.force_login(editor_a)
    client.post(withdraw)
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    _invite(client, editor_a, page_b, class_a, django_capture_on_commit_callbacks)
    assert TeachingInvitation.objects.filter(status="pending").count() == 1
