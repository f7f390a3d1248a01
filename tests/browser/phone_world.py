"""The pages a visitor and a trainee see, built small, for the phone and accessibility walks.

Not a test module: tests/browser/test_phones.py and test_a11y.py build this world and walk
its addresses.
"""

import datetime
import re

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests import factories

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# A question whose text is long and holds an unbroken run (an address), as a real bank has.
LONG_STEM = (
    "根据《中华人民共和国促进科技成果转化法》及其实施细则，技术经纪人在撮合高校院所与企业之间的"
    "技术交易时，应当如何处理职务科技成果的权属、收益分配和信息披露问题？参见 "
    "https://www.most.gov.cn/xxgk/xinxifenlei/fdzdgknr/fgzc/flfg/202001/t20200117_151234.html"
)


def sign_in(page, base_url, user, password=factories.PASSWORD):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()


def _maybe(name, *args) -> list[str]:
    """The address of a view another engineer may not have added yet: none if it is absent."""
    try:
        return [reverse(name, args=args)]
    except NoReverseMatch:
        return []


def build() -> dict:
    """A base with its course, textbook, teacher and news; a trainee enrolled, with an
    exam open and a certificate issued and listed in the registry."""
    from certification.registry.services import registry_join
    from cms.models import NewsIndexPage
    from courses.models import CoursePage, LessonPage, ModulePage, Question
    from courses.services import enrolment_create
    from tests.certification.factories import certifier, certifying_body, issued_certificate

    today = timezone.localdate()
    base = factories.training_base("GD-P", "44", title="华南技术转移人才培训基地")
    book = factories.textbook(base, title="技术经纪人实务教程")
    teacher = factories.faculty_member(base, name="林晓红")
    news = factories.news_item(
        NewsIndexPage.objects.child_of(base).get(), title="2026年第3期初级技术经纪人培训班开班"
    )
    course = factories.course(
        base,
        title="初级技术经纪人培训班（2026年秋季）",
        lessons=[("general", "1.5", "online"), ("policy", "2", "in_person")],
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=30),
    )
    module = ModulePage.objects.descendant_of(course).first()
    lesson = LessonPage.objects.descendant_of(course).first()
    factories.questions(base, per_kind=2)
    Question.objects.filter(type="single").update(stem=LONG_STEM)
    exam = factories.exam(base, course)

    trainee = factories.UserFactory(
        email="phone.trainee@example.org", real_name="欧阳明", organisation="某某科技服务有限公司"
    )
    enrolment_create(user=trainee, course=course)
    body = certifying_body("GD")
    reviewer = certifier(body, email="phone.reviewer@example.org", real_name="刘审核")
    certificate = issued_certificate(trainee, body, reviewer)
    registry_join(
        user=trainee, organisation="某某科技服务有限公司", specialties="技术评估, 专利运营"
    )
    application = trainee.applications.first()

    public = [
        "/",
        base.get_parent().url,
        base.url,
        CoursePage.objects.get(pk=course.pk).get_parent().url,
        course.url,
        module.url,
        book.get_parent().url,
        book.url,
        teacher.get_parent().url,
        teacher.url,
        news.get_parent().url,
        news.url,
        "/search/?q=%E5%88%9D%E7%BA%A7",
        "/certification/",
        "/certification/levels/junior_broker/",
        "/certification/levels/senior_manager/",
        f"/certification/bodies/{body.code}/",
        "/registry/",
        f"/verify/{certificate.number}/",
        "/privacy/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        *_maybe("course_catalogue"),
        *_maybe("class_calendar"),
        *_maybe("verify_start"),
    ]
    trainee_pages = [
        "/me/",
        lesson.url,
        f"/learn/exams/{exam.pk}/",
        "/me/certificates/",
        "/me/certificates/registry/",
        "/me/applications/new/",
        f"/me/applications/{application.pk}/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/me/data/",
        "/me/close/",
        *_maybe("continuing_education"),
        *_maybe("notifications"),
    ]
    return {
        "base": base,
        "course": course,
        "exam": exam,
        "trainee": trainee,
        "reviewer": reviewer,
        "certificate": certificate,
        "public": public,
        "trainee_pages": trainee_pages,
    }


def slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      const name = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      wide.push(el.tagName.toLowerCase() + name + ' right=' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 6)};
}"""


def overflow(page) -> dict | None:
    """None when the page fits its window across; else what sticks out."""
    found = page.evaluate(OVERFLOW_JS)
    return found if found["scroll"] > found["inner"] else None
