"""A base's staff invite a whole class from an XLSX or CSV roster: preview first, then confirm.

Nobody is enrolled by the file: each address gets an invitation, which its holder accepts
(see test_enrolment_invitations.py)."""

import io
import re

import openpyxl
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.services import training_base_editor_add, training_base_faculty_add
from courses.imports import parse_roster_file, province_code
from courses.models import Enrolment, EnrolmentInvitation
from courses.services import enrolment_create
from portal.accounts.models import OutgoingMail, User
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "邮箱", "手机", "省份", "单位"]


def xlsx(rows, header=HEADER, name="roster.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_file(text, name="roster.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def says(content, *texts):
    """Whether the page shows a message, in English (msgid) or Chinese (translation)."""
    return any(text in content for text in texts)


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def editor(client, base):
    user = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=user)
    client.force_login(user)
    return user


def import_url(course):
    return reverse("courses:roster_import", args=(course.pk,))


def confirm_url(course):
    return reverse("courses:roster_import_confirm", args=(course.pk,))


def upload(client, course, file):
    response = client.post(import_url(course), {"file": file})
    assert response.status_code == 200
    return response, response.content.decode()


def token_of(response):
    return response.context["token"]


def test_xlsx_preview_writes_nothing_and_confirm_sends_invitations(
    client, base, editor, django_capture_on_commit_callbacks
):
    course = factories.course(base, capacity=10)
    old_hand = factories.UserFactory(email="old.hand@example.org", real_name="老学员")
    already = factories.UserFactory(email="already@example.org")
    enrolment_create(user=already, course=course)
    users_before = User.objects.count()

    assert client.get(import_url(course)).status_code == 200
    response, content = upload(
        client,
        course,
        xlsx(
            [
                ["张三", "ZhangSan@Example.ORG", 13800138000, "广东省", "某大学"],
                ["李四", "lisi@example.org", "139-0000-0000", "Zhejiang", "某研究院"],
                ["王五", "wangwu@example.org", None, 51, None],
                ["老学员", "Old.Hand@example.org", "", "", ""],
                ["已报名", "already@example.org", "", "", ""],
            ]
        ),
    )
    preview = response.context["preview"]
    # An address with an account and one without read the same.
    assert [row.status for row in preview.rows] == [
        "invite",
        "invite",
        "invite",
        "invite",
        "enrolled",
    ]
    assert [row.province for row in preview.rows[:3]] == ["44", "33", "51"]
    assert preview.can_confirm and token_of(response)
    assert says(content, "Confirm import", "确认导入")
    # Nothing is written by the preview.
    assert User.objects.count() == users_before
    assert course.enrolments.count() == 1
    assert not OutgoingMail.objects.exists() and not EnrolmentInvitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(course), {"token": token_of(response)})
    assert response.status_code == 302 and response["Location"] == course.url

    # No account is made and nobody is enrolled: four invitations wait for their answer.
    assert User.objects.count() == users_before
    assert course.enrolments.count() == 1
    invited = EnrolmentInvitation.objects.filter(course=course)
    assert set(invited.values_list("email", flat=True)) == {
        "zhangsan@example.org",
        "lisi@example.org",
        "wangwu@example.org",
        "old.hand@example.org",
    }
    assert set(invited.values_list("status", flat=True)) == {"pending"}
    assert set(invited.values_list("invited_by", flat=True)) == {editor.pk}
    assert not invited.filter(user__isnull=False).exists()
    old_hand.refresh_from_db()
    assert old_hand.real_name == "老学员"

    # One message each, the same for an account and for an address without one; nothing to
    # the person already enrolled.
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {
        "zhangsan@example.org",
        "lisi@example.org",
        "wangwu@example.org",
        "old.hand@example.org",
    }
    for email, message in sent.items():
        token = invited.get(email=email).token
        assert "http://testserver" + reverse("courses:invitation", args=(token,)) in message.body
        assert course.title in message.subject
    assert "张三" in sent["zhangsan@example.org"].body

    def shape(message, email, token, name):
        return message.body.replace(email, "E").replace(token, "T").replace(name, "N")

    assert shape(
        sent["zhangsan@example.org"],
        "zhangsan@example.org",
        invited.get(email="zhangsan@example.org").token,
        "张三",
    ) == shape(
        sent["old.hand@example.org"],
        "old.hand@example.org",
        invited.get(email="old.hand@example.org").token,
        "老学员",
    )

    page = client.get(course.url).content.decode()
    assert says(page, "Import complete", "导入完成")
    assert re.search(r"4\D+0\D+1", page)  # invited 4, already invited 0, already enrolled 1


def test_csv_in_gbk_with_english_headers_is_read(
    client, base, editor, django_capture_on_commit_callbacks
):
    course = factories.course(base)
    text = (
        "Name,E-mail,Phone,Province,Organisation\r\n"
        "赵六,zhaoliu@example.org,13700000000,广东,某公司\r\n"
        "\r\n"
        "钱七,qianqi@example.org,,Guangdong Province,\r\n"
    )
    response, _content = upload(client, course, csv_file(text, encoding="gbk"))
    preview = response.context["preview"]
    assert [row.line for row in preview.rows] == [2, 4]
    assert [row.status for row in preview.rows] == ["invite", "invite"]
    assert [row.province for row in preview.rows] == ["44", "44"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(course), {"token": token_of(response)})
    assert set(course.invitations.values_list("email", flat=True)) == {
        "zhaoliu@example.org",
        "qianqi@example.org",
    }
    assert sorted(message.to[0] for message in mail.outbox) == [
        "qianqi@example.org",
        "zhaoliu@example.org",
    ]


def test_faculty_of_the_base_may_import_too(client, base):
    course = factories.course(base)
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    response, _content = upload(client, course, xlsx([["张三", "z3@example.org", "", "", ""]]))
    client.post(confirm_url(course), {"token": token_of(response)})
    assert course.invitations.filter(email="z3@example.org", status="pending").exists()
    assert not course.enrolments.exists()


def test_row_errors_are_listed_and_block_the_confirmation(client, base, editor):
    course = factories.course(base)
    users_before = User.objects.count()
    response, content = upload(
        client,
        course,
        xlsx(
            [
                ["", "noname@example.org", "", "", ""],
                ["坏邮箱", "not-an-email", "", "", ""],
                ["甲", "dup@example.org", "", "", ""],
                ["乙", "DUP@example.org", "", "", ""],
                ["丙", "bing@example.org", "", "火星", ""],
                ["丁", "ding@example.org", "12ab", "", ""],
                ["戊", "wu@example.org", "", "", ""],
            ]
        ),
    )
    preview = response.context["preview"]
    assert not preview.can_confirm and token_of(response) == ""
    assert preview.rows_with_errors == 5
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert says(errors[2], "name is missing", "姓名")
    assert says(errors[3], "e-mail address is not valid", "邮箱")
    assert errors[4] == ""
    assert says(errors[5], "already on row 4", "第 4 行")
    assert says(errors[6], "province", "省份")
    assert says(errors[7], "phone number", "手机")
    assert errors[8] == ""
    assert says(content, "Rows with errors", "有错误的行")
    assert not says(content, "Confirm import", "确认导入")
    assert 'name="token"' not in content
    # A confirmation forged without a stored preview writes nothing either.
    client.post(confirm_url(course), {"token": "made-up"})
    assert User.objects.count() == users_before
    assert not course.enrolments.exists()


def test_names_and_organisations_a_person_could_not_type_are_row_errors(client, base, editor):
    course = factories.course(base)
    text = (
        "Name,E-mail,Phone,Province,Organisation\r\n"
        "李\x07明,a@example.org,,,\r\n"
        "\u3164,b@example.org,,,\r\n"
        "王五,c@example.org,,,某\x1b公司\r\n"
        "赵六,d@example.org,,,某公司\r\n"
    )
    response, _content = upload(client, course, csv_file(text))
    preview = response.context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert says(errors[2], "control characters", "控制字符")
    assert says(errors[3], "visible character", "可见字符")
    assert says(errors[4], "control characters", "控制字符")
    assert errors[5] == ""
    assert not preview.can_confirm


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("roster.xlsx", bytes(range(256)) * 8, ("could not be read", "无法读取")),
        ("roster.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, (".xls",)),
        ("roster.docx", b"PK\x03\x04 not really", (".xlsx",)),
        ("roster.csv", "姓名,手机\n张三,13800138000\n".encode(), ("邮箱 / email",)),
        ("roster.csv", "姓名,邮箱\n".encode(), ("no rows", "没有")),
        ("roster.csv", b"\x00\x01\x02name,email\n", ("could not be read", "无法读取")),
    ],
)
def test_a_malformed_file_gets_a_clear_message(client, base, editor, name, data, expected):
    course = factories.course(base)
    response, content = upload(client, course, SimpleUploadedFile(name, data))
    preview = response.context["preview"]
    assert preview.errors and not preview.rows and not token_of(response)
    assert says(" ".join(preview.errors), *expected)
    assert 'class="message message-error"' in content
    assert not course.enrolments.exists()


def test_an_empty_or_missing_file_is_refused(client, base, editor):
    course = factories.course(base)
    for data in ({"file": SimpleUploadedFile("roster.csv", b"")}, {}):
        response = client.post(import_url(course), data)
        assert response.status_code == 200
        assert response.context["form"].errors and response.context["preview"] is None
        assert not response.context["token"]
    rows, errors = parse_roster_file(SimpleUploadedFile("roster.csv", b"  \n"))
    assert rows == [] and says(" ".join(errors), "empty", "空")


def test_a_damaged_workbook_is_refused_with_a_message(client, base, editor):
    course = factories.course(base)
    good = xlsx([["张三", "z3@example.org", "", "", ""]]).read()
    damaged = good[: len(good) // 2]  # cut off halfway, as a broken download would be
    response, _content = upload(client, course, SimpleUploadedFile("roster.xlsx", damaged))
    assert says(" ".join(response.context["preview"].errors), "could not be read", "无法读取")


def test_an_oversize_file_is_refused(client, base, editor):
    course = factories.course(base)
    big = "姓名,邮箱\n" + "张三,z3@example.org\n" * 120_000
    assert len(big.encode()) > 2 * 1024 * 1024
    response, _content = upload(client, course, csv_file(big))
    preview = response.context["preview"]
    assert says(" ".join(preview.errors), "2 MB")
    assert not course.enrolments.exists() and not User.objects.filter(email="z3@example.org")


def test_more_than_2000_rows_are_refused(client, base, editor):
    course = factories.course(base)
    text = "name,email\n" + "".join(f"学员{n},p{n}@example.org\n" for n in range(2001))
    response, _content = upload(client, course, csv_file(text))
    assert says(" ".join(response.context["preview"].errors), "2000", "2,000")


def test_a_class_larger_than_the_free_seats_is_refused_at_preview(client, base, editor):
    course = factories.course(base, capacity=2)
    enrolment_create(user=factories.UserFactory(), course=course)
    response, content = upload(
        client,
        course,
        xlsx([["甲", "jia@example.org", "", "", ""], ["乙", "yi@example.org", "", "", ""]]),
    )
    preview = response.context["preview"]
    assert not token_of(response) and not preview.can_confirm
    assert says(" ".join(preview.errors), "enough seats", "名额不足")
    assert 'class="message message-error"' in content


def test_when_seats_run_out_before_confirming_nothing_at_all_is_imported(
    client, base, editor, django_capture_on_commit_callbacks
):
    course = factories.course(base, capacity=3)
    existing = factories.UserFactory(email="existing@example.org")
    response, _content = upload(
        client,
        course,
        xlsx(
            [
                ["甲", "jia@example.org", "", "", ""],
                ["已有", "existing@example.org", "", "", ""],
                ["乙", "yi@example.org", "", "", ""],
            ]
        ),
    )
    token = token_of(response)
    assert token
    # Someone signs up for a seat while the editor looks at the preview.
    enrolment_create(user=factories.UserFactory(), course=course)
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(course), {"token": token}, follow=True)
    content = response.content.decode()
    assert says(content, "Nothing was imported", "未导入任何")
    assert User.objects.count() == users_before
    assert not User.objects.filter(email__in=["jia@example.org", "yi@example.org"]).exists()
    assert not EmailAddress.objects.filter(email="jia@example.org").exists()
    assert course.enrolments.count() == 1
    assert not Enrolment.objects.filter(user=existing).exists()
    assert not EnrolmentInvitation.objects.exists()
    assert not OutgoingMail.objects.exists() and not mail.outbox


def test_another_bases_editor_and_a_trainee_get_403(client, base):
    course = factories.course(base)
    other_base = factories.training_base("SC-B", "51")
    outsider = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=other_base, user=outsider)
    trainee = factories.UserFactory(roles=["Trainee"])
    for person in (outsider, trainee):
        client.force_login(person)
        assert client.get(import_url(course)).status_code == 403
        response = client.post(
            import_url(course), {"file": xlsx([["张三", "z3@example.org", "", "", ""]])}
        )
        assert response.status_code == 403
        assert client.post(confirm_url(course), {"token": "x"}).status_code == 403
    assert not User.objects.filter(email="z3@example.org").exists()
    assert not EnrolmentInvitation.objects.exists()
    client.logout()
    assert client.get(import_url(course)).status_code == 302  # to sign in


def test_the_confirmation_cannot_be_forged_or_replayed(
    client, base, editor, django_capture_on_commit_callbacks
):
    course = factories.course(base)
    response, _content = upload(client, course, xlsx([["张三", "z3@example.org", "", "", ""]]))
    token = token_of(response)

    # A made-up token, or row data posted along with it, does nothing.
    response = client.post(
        confirm_url(course),
        {"token": token + "x", "rows": '[{"email": "evil@example.org", "name": "x"}]'},
        follow=True,
    )
    assert says(response.content.decode(), "expired", "过期")
    assert not User.objects.filter(email__in=["z3@example.org", "evil@example.org"]).exists()
    assert not EnrolmentInvitation.objects.exists()

    # The real token works for its own course only.
    other_course = factories.course(base)
    client.post(confirm_url(other_course), {"token": token})
    assert not other_course.invitations.exists()
    response, _content = upload(client, course, xlsx([["张三", "z3@example.org", "", "", ""]]))
    token = token_of(response)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(course), {"token": token})
    assert course.invitations.count() == 1
    assert len(mail.outbox) == 1

    # Replaying the same confirmation does nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(course), {"token": token}, follow=True)
    assert says(response.content.decode(), "expired", "过期")
    assert course.invitations.count() == 1
    assert len(mail.outbox) == 1
    assert OutgoingMail.objects.count() == 1


def test_another_editor_cannot_use_someone_elses_preview(client, base, editor):
    course = factories.course(base)
    response, _content = upload(client, course, xlsx([["张三", "z3@example.org", "", "", ""]]))
    token = token_of(response)
    colleague = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=colleague)
    client.force_login(colleague)  # a new session: the preview is not there
    client.post(confirm_url(course), {"token": token})
    assert not course.invitations.exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("广东", "44"),
        ("广东省", "44"),
        ("Guangdong", "44"),
        ("guangdong province", "44"),
        ("44", "44"),
        ("440000", "44"),
        ("４４", "44"),
        ("内蒙古自治区", "15"),
        ("Inner Mongolia", "15"),
        ("新疆维吾尔自治区", "65"),
        ("Hong Kong SAR", "81"),
        ("Shaanxi", "61"),
        ("Shanxi", "14"),
        ("火星", None),
        ("99", None),
    ],
)
def test_provinces_are_read_by_chinese_or_english_name_or_code(value, code):
    assert province_code(value) == code


def test_headers_with_notes_and_extra_columns_are_understood():
    rows, errors = parse_roster_file(
        xlsx(
            [[1, "张三", "Z3@example.org", "", "北京市", "某单位"]],
            header=["序号", "姓名（必填）", "E-mail *", "手机号码", "省份", "工作单位"],
        )
    )
    assert errors == []
    assert (rows[0].name, rows[0].email, rows[0].province, rows[0].organisation) == (
        "张三",
        "z3@example.org",
        "11",
        "某单位",
    )
