"""Factories for the data tests need. Build what a test needs; never load the whole demo."""

import datetime
import io

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from PIL import Image as PILImage

from cms.models import (
    FacultyIndexPage,
    FacultyMemberPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    TextbookIndexPage,
    TextbookPage,
    TrainingBaseIndexPage,
    TrainingBasePage,
)
from cms.taxonomy import Accreditation, ModuleCategory
from cms.taxonomy import SeededLevels as Level
from portal.accounts.models import User

PASSWORD = "a-Strong-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    real_name = factory.Sequence(lambda n: f"学员{n}")
    province = "44"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            self.save()


def with_totp(user):
    """Give ``user`` an authenticator, as a certifier or administrator who has set one up."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def sign_in(client, user, password=PASSWORD):
    """Sign in through the real forms, giving the two-factor code where the user has one (a
    staff member who has none is given one first: every staff role needs it)."""
    from django.urls import reverse

    from portal.accounts.demo import totp_current_code
    from portal.accounts.middleware import user_has_totp, user_needs_mfa

    if user_needs_mfa(user) and not user_has_totp(user):
        with_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.get("Location") == reverse("mfa_authenticate"):
        client.post(reverse("mfa_authenticate"), {"code": totp_current_code(user)})
    assert client.session.get("_auth_user_id") == str(user.pk), "sign-in failed"
    return user


def password_only_login(client, user):
    """A session signed in without the second factor (``client.force_login`` stands for a
    full sign-in, see tests/conftest.py): what a stolen password alone would give."""
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    backend = client._get_backend()
    user.backend = backend
    Client._login(client, user, backend)
    assert client.session.get(SESSION_KEY) == str(user.pk)
    return user


def png_bytes(size=(60, 80), colour=(200, 30, 30), fmt="PNG") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def base_index() -> TrainingBaseIndexPage:
    existing = TrainingBaseIndexPage.objects.first()
    if existing:
        return existing
    return publish_child(
        HomePage.objects.get(), TrainingBaseIndexPage(title="培训基地", slug="bases")
    )


def training_base(code="GD-A", province="44", title=None, slug=None) -> TrainingBasePage:
    """A published base with its textbook, faculty and news indexes."""
    base = publish_child(
        base_index(),
        TrainingBasePage(
            title=title or f"{code} 培训基地",
            slug=slug or code.lower(),
            short_code=code,
            province=province,
            city="某市",
            accreditation=Accreditation.NATIONAL_2020,
        ),
    )
    publish_child(base, TextbookIndexPage(title="教材", slug="textbooks"))
    publish_child(base, FacultyIndexPage(title="师资", slug="faculty"))
    publish_child(base, NewsIndexPage(title="动态", slug="news"))
    return base


def textbook(
    base,
    title="实务教程",
    levels=(Level.JUNIOR_BROKER,),
    modules=(ModuleCategory.PRACTICE,),
    slug=None,
    **fields,
):
    index = TextbookIndexPage.objects.child_of(base).get()
    fields = {"authors": "某作者", "publisher": "某出版社", "year": 2025, **fields}
    page = TextbookPage(
        title=title,
        slug=slug or f"book-{TextbookPage.objects.count() + 1}",
        levels=list(levels),
        modules=list(modules),
        **fields,
    )
    return publish_child(index, page)


def faculty_member(base, name="林老师", specialties=("技术评估",)):
    index = FacultyIndexPage.objects.child_of(base).get()
    member = FacultyMemberPage(
        title=name,
        slug=f"member-{FacultyMemberPage.objects.count() + 1}",
        organisation="某大学",
        levels=[Level.JUNIOR_BROKER],
        modules=[ModuleCategory.GENERAL],
    )
    member.specialties.add(*specialties)
    return publish_child(index, member)


def news_item(parent_index, title="新闻", date=datetime.date(2026, 1, 1)):
    return publish_child(
        parent_index, NewsPage(title=title, slug=f"news-{NewsPage.objects.count() + 1}", date=date)
    )


# -- courses ---------------------------------------------------------------------------------


def course(base, level="junior_broker", capacity=None, slug=None, lessons=None, **fields):
    """A published course with one module per given category and its lessons.

    ``lessons`` is a list of (category, hours, delivery) tuples; by default two online lessons.
    """
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage

    index = CourseIndexPage.objects.child_of(base).first() or publish_child(
        base, CourseIndexPage(title="课程", slug="courses")
    )
    now = timezone.now()
    page = publish_child(
        index,
        CoursePage(
            title=fields.pop("title", "初级技术经纪人培训"),
            slug=slug or f"course-{CoursePage.objects.count() + 1}",
            level_id=getattr(level, "code", level),
            class_name="2026年第1期",
            start_date=fields.pop("start_date", dt.date(2026, 9, 1)),
            end_date=fields.pop("end_date", dt.date(2026, 9, 30)),
            enrolment_opens=now - dt.timedelta(days=1),
            enrolment_closes=now + dt.timedelta(days=30),
            capacity=capacity,
            **fields,
        ),
    )
    lessons = lessons or [("general", "1.5", "online"), ("policy", "2", "online")]
    modules = {}
    for number, (category, hours, delivery) in enumerate(lessons, start=1):
        if category not in modules:
            modules[category] = publish_child(
                page, ModulePage(title=f"模块 {category}", slug=f"m-{category}", category=category)
            )
        extra = {}
        if delivery == "in_person":
            # Under way: attendance can be marked and trainees can check in.
            extra = {"session_starts": now - dt.timedelta(hours=1), "location": "报告厅"}
        publish_child(
            modules[category],
            LessonPage(
                title=f"第{number}课",
                slug=f"lesson-{number}",
                hours=Decimal(hours),
                delivery=delivery,
                **extra,
            ),
        )
    return page


def study(user, lesson, *, seconds=None, at=None, watch=True):
    """Spend time on an online lesson the honest way: a page kept open and in front, sending
    a heartbeat every 30 s from ``at`` (by default 09:00 on the course's first day, or a
    minute after the person's last heartbeat), for ``seconds`` (by default just what the
    credit needs), playing the lesson's video from the start if ``watch``. Returns the time
    of the last heartbeat."""
    import datetime as dt
    import math

    from django.db.models import Max
    from django.utils import timezone

    from courses.models import CoursePage, LessonActivity
    from courses.services import activity_replay

    if at is None:
        last = LessonActivity.objects.filter(user=user).aggregate(last=Max("last_seen"))["last"]
        if last is not None:
            at = last + dt.timedelta(minutes=1)
        else:
            course = CoursePage.objects.ancestor_of(lesson).get()
            at = timezone.make_aware(dt.datetime.combine(course.start_date, dt.time(9)))
    if seconds is None:
        seconds = lesson.required_active_seconds + 30
    steps = math.ceil(seconds / 30)
    beats = []
    for step in range(steps + 1):
        played = []
        if watch and lesson.video_seconds:
            played = [[0, min(30 * step, lesson.video_seconds)]]
        beats.append((at + dt.timedelta(seconds=30 * step), played))
    activity_replay(user=user, lesson=lesson, beats=beats)
    return beats[-1][0]


def credit_lesson(user, lesson, *, at=None):
    """Study an online lesson for the time it needs, then have it credited (see ``study``)."""
    from courses.services import lesson_complete

    end = study(user, lesson, at=at)
    return lesson_complete(user=user, lesson=lesson, now=end)


def questions(base, level="junior_broker", per_kind=3):
    """Active questions of every type in every category for ``level``."""
    from courses.models import Question

    made = []
    for category in ("general", "policy", "practice", "enhancement"):
        for n in range(per_kind):
            made += [
                Question(
                    base=base,
                    level_id=getattr(level, "code", level),
                    category=category,
                    type="single",
                    stem=f"{category} 单选 {n}",
                    status="active",
                    options=[
                        {"key": "A", "text": "甲"},
                        {"key": "B", "text": "乙"},
                        {"key": "C", "text": "丙"},
                    ],
                    correct=["B"],
                    explanation="因为乙。",
                ),
                Question(
                    base=base,
                    level_id=getattr(level, "code", level),
                    category=category,
                    type="multiple",
                    stem=f"{category} 多选 {n}",
                    status="active",
                    options=[
                        {"key": "A", "text": "甲"},
                        {"key": "B", "text": "乙"},
                        {"key": "C", "text": "丙"},
                    ],
                    correct=["A", "C"],
                ),
                Question(
                    base=base,
                    level_id=getattr(level, "code", level),
                    category=category,
                    type="true_false",
                    stem=f"{category} 判断 {n}",
                    status="active",
                    options=[{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
                    correct=["T"],
                ),
                Question(
                    base=base,
                    level_id=getattr(level, "code", level),
                    category=category,
                    type="short",
                    stem=f"{category} 简答 {n}",
                    status="active",
                    points=5,
                    reference_answer="要点：……",
                ),
            ]
    return Question.objects.bulk_create(made)


def exam(base, course_page=None, blueprint=None, **fields):
    import datetime as dt

    from django.utils import timezone

    from courses.models import Exam

    now = timezone.now()
    defaults = {
        "title": "初级技术经纪人结业考试",
        "level": course_page.level_id if course_page else "junior_broker",
        "course": course_page,
        "eligibility": "enrolled" if course_page else "completed",
        "blueprint": blueprint
        or [
            {"type": "single", "category": "general", "count": 2},
            {"type": "multiple", "category": "policy", "count": 1},
            {"type": "true_false", "category": "practice", "count": 1},
        ],
        "time_limit_minutes": 30,
        "pass_mark": 60,
        "max_attempts": 2,
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=7),
        "is_published": True,
    }
    defaults.update(fields)
    level = defaults.pop("level")  # a code or a cms Level
    defaults["level_id"] = getattr(level, "code", level)
    return Exam.objects.create(base=base, **defaults)
