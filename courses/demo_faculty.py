"""Demo data for the national faculty pool: the demo teacher's page linked to her account with
her qualifications, lessons she teaches, and a class of another base she accepted to teach.
Idempotent: running it again adds nothing."""

from django.utils import timezone

from cms.models import FacultyMemberPage, TrainingBasePage
from portal.accounts.demo import DemoAccount, demo_account_ensure
from portal.accounts.provinces import Province
from portal.accounts.roles import Role

from . import teaching
from .models import CoursePage, Delivery, FacultyAccountLink, LessonPage, TeachingInvitation

# The Shanghai base's editor, who invites the Guangdong teacher (not among the accounts the
# demo prints: the pool shows what she did).
GUEST_INVITER = DemoAccount(
    "editor-sh@demo.local",
    "孙悦",
    Role.BASE_EDITOR,
    Province.SHANGHAI,
    "长三角技术转移人才培训基地",
    with_totp=True,
)

QUALIFICATIONS = {
    "zhou-xiaotong": ("技术合同登记员\n中级技术经纪人", Province.GUANGDONG),
    "lin-hai": ("高级技术经理人\n资产评估师", ""),
    "huang-min": ("法律职业资格", ""),
}


def _publish(page, **changes):
    changed = [name for name, value in changes.items() if getattr(page, name) != value]
    if changed:
        for name in changed:
            setattr(page, name, changes[name])
        page.save_revision().publish()


def seed_faculty_pool(*, editor, teacher, admin=None) -> None:
    """Link the demo teacher (``teacher``, of the first base) to her page, give the demo
    faculty their qualifications, name her as the teacher of sessions, and have the Shanghai
    base invite her to one of its classes, which she accepts."""
    from cms import api as cms_api

    for slug, (certificates, province) in QUALIFICATIONS.items():
        for page in FacultyMemberPage.objects.filter(slug=slug):
            _publish(page, certificates=certificates, province=province)

    home = TrainingBasePage.objects.filter(short_code="GD-HN").first()
    page = FacultyMemberPage.objects.filter(slug="zhou-xiaotong").first()
    if home is None or page is None:
        return
    if not FacultyAccountLink.objects.filter(
        user=teacher, status=FacultyAccountLink.Status.ACCEPTED
    ).exists():
        link = FacultyAccountLink.objects.filter(
            page=page, user=teacher, status=FacultyAccountLink.Status.PENDING
        ).first() or teaching.faculty_link_request(page=page, email=teacher.email, by=editor)
        teaching.faculty_link_answer(link_id=link.pk, user=teacher, accept=True)
        teaching.faculty_link_certificates_show(user=teacher, show=True)
        # She teaches the in-person sessions of her own base's demo classes (set once, with
        # the link, so that later runs leave lessons added since, such as --scale's, alone).
        for lesson in LessonPage.objects.descendant_of(home).filter(delivery=Delivery.IN_PERSON):
            if lesson.teacher_id is None:
                _publish(lesson, teacher=page)

    shanghai = TrainingBasePage.objects.filter(short_code="SH-CSJ").first()
    if shanghai is None:
        return
    inviter, _ = demo_account_ensure(GUEST_INVITER)
    cms_api.training_base_editor_add(page_id=shanghai.pk, user=inviter)
    shanghai_classes = CoursePage.objects.live().descendant_of(shanghai)
    if TeachingInvitation.objects.filter(
        user=teacher, course__in=shanghai_classes.values("pk")
    ).exists():
        return
    course = (
        shanghai_classes.filter(end_date__gte=timezone.localdate())
        .order_by("start_date", "pk")
        .first()
    )
    if course is None:
        return
    invitation = teaching.teaching_invitation_send(
        course=course,
        faculty_page=page,
        by=inviter,
        message="请为本期学员讲授技术合同实务一课，并批阅该班结业考试的案例分析题。",
    )
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher, accept=True)
    session = (
        LessonPage.objects.live().descendant_of(course).filter(delivery=Delivery.IN_PERSON).first()
    )
    if session is not None:
        _publish(session, teacher=page)
