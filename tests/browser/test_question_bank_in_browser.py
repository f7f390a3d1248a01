"""A teacher writes a question in the Wagtail admin in a real browser: options and answers as
plain fields, a mistake shown on the field to fix, nothing lost when it is corrected."""

import re

import pytest
from playwright.sync_api import expect

from cms.services import training_base_faculty_add
from courses.models import Question
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    if "/accounts/2fa/authenticate" in page.url:  # staff sign in with their second factor
        from portal.accounts.demo import totp_current_code

        page.fill("#id_code", totp_current_code(user))
        page.locator("main button[type=submit]:not([form])").click()
    # Each role lands on its own page after signing in (a trainee on /me/, faculty on the
    # grading queue): wait until the sign-in pages are left behind.
    page.wait_for_url(re.compile(r"^(?!.*/accounts/).*$"))


def test_a_teacher_adds_a_choice_question_in_the_admin(live_server, page, screenshot):
    base = factories.training_base("GD-B", "44")
    teacher = factories.with_totp(
        factories.UserFactory(email="teacher@example.org", roles=["Faculty"])
    )
    training_base_faculty_add(base=base, user=teacher)

    sign_in(page, live_server.url, teacher)

    page.goto(live_server.url + "/admin/snippets/courses/question/add/")
    page.select_option("#id_type", "multiple")
    page.fill("#id_stem", "技术合同登记时需要核对哪些内容")
    page.fill("#id_option_a", "合同主体")
    page.fill("#id_option_c", "成交金额")  # B left empty by mistake
    page.get_by_label("C", exact=True).check()
    page.select_option("#id_category", "policy")
    page.select_option("#id_level", "junior_broker")
    page.get_by_role("button", name=re.compile("保存|Save")).first.click()

    # Refused on the field to fix; what was typed and ticked is still there.
    expect(page.get_by_text("（B 为空）")).to_be_visible()
    expect(page.locator("#id_option_c")).to_have_value("成交金额")
    expect(page.get_by_label("C", exact=True)).to_be_checked()
    assert not Question.objects.exists()

    page.fill("#id_option_b", "技术内容")
    page.get_by_label("A", exact=True).check()
    screenshot(page, "question-bank-add")
    page.get_by_role("button", name=re.compile("保存|Save")).first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/courses/question/$"))
    expect(page.get_by_text("技术合同登记时需要核对哪些内容").first).to_be_visible()

    question = Question.objects.get()
    assert [o["text"] for o in question.options] == ["合同主体", "技术内容", "成交金额"]
    assert question.correct == ["A", "C"]
    assert question.base_id == base.pk


def test_an_editor_sets_an_exams_blueprint_in_the_table(live_server, page, screenshot):
    from cms.services import training_base_editor_add

    base = factories.training_base("GD-X", "44")
    factories.questions(base, per_kind=2)
    exam = factories.exam(base)
    editor = factories.with_totp(
        factories.UserFactory(email="editor@example.org", roles=["Base editor"])
    )
    training_base_editor_add(base=base, user=editor)

    sign_in(page, live_server.url, editor)

    page.goto(live_server.url + f"/admin/snippets/courses/exam/edit/{exam.pk}/")
    table = page.locator(".blueprint-panel table")
    expect(table).to_be_visible()
    expect(page.locator("#id_draw_single__general")).to_have_value("2")
    page.fill("#id_draw_short__enhancement", "5")  # the bank holds two
    page.get_by_role("button", name=re.compile("保存|Save")).first.click()
    expect(page.locator(".blueprint-panel [role=alert]")).to_contain_text("组卷规则要求 5 道")
    screenshot(page, "exam-blueprint")

    page.fill("#id_draw_short__enhancement", "1")
    page.get_by_role("button", name=re.compile("保存|Save")).first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/courses/exam/$"))
    exam.refresh_from_db()
    assert {"type": "short", "category": "enhancement", "count": 1} in exam.blueprint
