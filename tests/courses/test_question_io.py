"""The question bank to and from XLSX: round trips, the validation report, and who may do it."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.services import training_base_editor_add, training_base_faculty_add
from courses import question_io
from courses.models import Question
from courses.question_io import (
    QuestionFileError,
    parse_questions_xlsx,
    questions_import,
    questions_to_xlsx,
)
from tests import factories

pytestmark = pytest.mark.django_db

IMPORT_URL = "courses_questions_import"
EXPORT_URL = "courses_questions_export"


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def other_base():
    return factories.training_base("BJ-B", "11")


@pytest.fixture
def teacher(client, base):
    user = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=user)
    client.force_login(user)
    return user


def snapshot(questions):
    """What must survive a round trip, in a comparable form."""
    return sorted(
        (
            q.type,
            q.stem,
            q.options,
            q.correct,
            q.reference_answer,
            q.explanation,
            q.category,
            q.level,
            q.difficulty,
            Decimal(q.points),
            q.status,
            sorted(t.name for t in q.tags.all()),
        )
        for q in questions
    )


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name="questions.xlsx"):
    return SimpleUploadedFile(name, content, content_type=question_io.XLSX_CONTENT_TYPE)


def headers():
    return [header for _key, header in question_io.COLUMNS]


def row(**values):
    """A data row in export column order from column keys."""
    return [values.get(key) for key, _header in question_io.COLUMNS]


def assert_says(content: str, english: str, chinese: str):
    assert english in content or chinese in content, content


def varied_questions(base):
    """The factory's bank plus a case question, a retired one, odd options and tags."""
    made = factories.questions(base, per_kind=1)
    case = Question.objects.create(
        base=base,
        type="case",
        stem="=某高校拟转让专利，请分析定价方式。",  # looks like a formula: must stay text
        reference_answer="成本法、市场法、收益法……\n第二行",
        explanation="参见教材第三章。",
        category="practice",
        level="senior_manager",
        difficulty=3,
        points=Decimal("12.5"),
        status="retired",
    )
    case.tags.add("定价", "专利")
    six = Question.objects.create(
        base=base,
        type="multiple",
        stem="六个选项",
        options=[{"key": k, "text": f"选项{k}"} for k in "ABCDEF"],
        correct=["B", "F"],
        category="policy",
        level="intermediate_broker",
        difficulty=1,
        status="draft",
    )
    six.tags.add("专利")
    made[0].tags.add("入门")
    return Question.objects.filter(base=base)


# -- export and import as functions ----------------------------------------------------------


def test_export_then_import_into_another_base_gives_the_same_questions(base, other_base):
    original = varied_questions(base)
    content = questions_to_xlsx(original.order_by("pk"))

    rows = sheet_rows(content)
    assert rows[0][:3] == ("题型", "题干", "选项A")
    assert rows[1][:3] == ("type", "stem", "option_a")  # the hidden row of keys
    assert len(rows) == 2 + original.count()

    parsed, errors = parse_questions_xlsx(io.BytesIO(content), other_base)
    assert errors == []
    created = questions_import(base=other_base, rows=parsed)

    assert len(created) == original.count()
    copies = Question.objects.filter(base=other_base)
    assert snapshot(copies) == snapshot(original)
    assert copies.get(type="case").stem.startswith("=某高校")
    assert Question.objects.filter(base=base).count() == original.count()  # untouched

    # And the copy exports to the same file contents.
    assert sheet_rows(questions_to_xlsx(copies.order_by("pk"))) == rows


def test_codes_chinese_names_and_loose_answers_are_accepted(base):
    content = workbook_bytes(
        [
            headers(),
            row(type="single", stem="甲", option_a="一", option_b="二", correct="b",
                category="policy", level="junior_broker", status="active"),
            row(type="多选题", stem="乙", option_a="一", option_b="二", option_c="三",
                correct="A，C", category="政策法规", level="中级技术经纪人", difficulty=3,
                points=2, tags="专利、 定价", status="启用"),
            row(type="判断题", stem="丙", correct="对", category="公共知识",
                level="高级技术经理人"),
            row(type="判断", stem="丁", correct="错误", category="General knowledge",
                level="Junior Technology Broker", difficulty="难", status="停用"),
            row(type="简答题", stem="戊", reference_answer="要点", category="实务技能",
                level="初级技术经纪人", points="2.5"),
        ]
    )  # fmt: skip
    parsed, errors = parse_questions_xlsx(content, base)
    assert errors == []
    questions_import(base=base, rows=parsed)
    by_stem = {q.stem: q for q in Question.objects.filter(base=base)}
    assert by_stem["甲"].correct == ["B"] and by_stem["甲"].status == "active"
    assert by_stem["乙"].correct == ["A", "C"] and by_stem["乙"].level_id == "intermediate_broker"
    assert sorted(t.name for t in by_stem["乙"].tags.all()) == sorted(["专利", "定价"])
    assert by_stem["丙"].correct == ["T"] and by_stem["丙"].status == "draft"
    assert by_stem["丙"].options == question_io.TRUE_FALSE_OPTIONS
    assert by_stem["丁"].correct == ["F"] and by_stem["丁"].difficulty == 3
    assert by_stem["丁"].status == "retired"
    assert by_stem["戊"].points == Decimal("2.5") and by_stem["戊"].difficulty == 2


def test_every_bad_row_is_reported_and_nothing_is_written(base):
    content = workbook_bytes(
        [
            headers(),
            row(type="单选题", stem="好题", option_a="一", option_b="二", correct="A",
                category="公共知识", level="初级技术经纪人"),
            row(type="单选题", stem="两个答案", option_a="一", option_b="二", correct="A,B",
                category="公共知识", level="初级技术经纪人"),
            row(type="单选题", stem="未知模块", option_a="一", option_b="二", correct="A",
                category="天文", level="初级技术经纪人"),
            row(type="简答题", stem=None, reference_answer="要点", category="policy",
                level="junior_broker"),
            row(type="多选题", stem="缺选项", option_a="一", option_c="三", correct="A",
                category="policy", level="junior_broker", difficulty=7, points=0.2),
            row(type="判断题", stem="怪值", correct="也许", category="policy",
                level="博士", difficulty="sNaN", points="1e999999999", status="归档"),
        ]
    )  # fmt: skip
    parsed, errors = parse_questions_xlsx(content, base)
    where = {(e.row, e.column) for e in errors}
    assert (3, "正确答案") in where  # two correct answers for a single choice
    assert (4, "模块") in where
    assert (5, "题干") in where
    assert {(6, "选项A"), (6, "难度"), (6, "分值")} <= where
    assert {(7, c) for c in ("正确答案", "等级", "难度", "分值", "状态")} <= where
    assert not any(e.row == 2 for e in errors)
    assert len(parsed) == 1
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("content", "english", "chinese"),
    [
        (b"type,stem\nsingle,x\n", "not an XLSX file", "不是 XLSX 文件"),
        (b"PK\x03\x04 broken zip", "damaged", "已损坏"),
        (b"", "empty", "空"),
        (None, "no questions", "没有试题"),
        (b"x" * (question_io.MAX_FILE_BYTES + 1), "larger than 5 MB", "超过 5 MB"),
    ],
)
def test_files_that_cannot_be_imported_are_refused(base, content, english, chinese):
    if content is None:
        content = workbook_bytes([headers()])
    with pytest.raises(QuestionFileError) as refused:
        parse_questions_xlsx(content, base)
    assert_says(str(refused.value), english, chinese)


def test_more_than_five_thousand_rows_are_refused(base):
    good = row(type="判断题", stem="题", correct="T", category="policy", level="junior_broker")
    content = workbook_bytes([headers()] + [good] * (question_io.MAX_ROWS + 1))
    with pytest.raises(QuestionFileError) as refused:
        parse_questions_xlsx(content, base)
    assert_says(str(refused.value), "more than 5000", "超过 5000")

    parsed, errors = parse_questions_xlsx(
        workbook_bytes([headers()] + [good] * question_io.MAX_ROWS), base
    )
    assert len(parsed) == question_io.MAX_ROWS and errors == []


def test_a_sheet_that_runs_far_past_its_questions_is_refused_quickly(base):
    workbook = openpyxl.Workbook()
    workbook.active.append(headers())
    workbook.active.append(row(type="判断题", stem="题", correct="T", category="policy",
                               level="junior_broker"))  # fmt: skip
    workbook.active.cell(row=1_000_000, column=1, value="单选题")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(QuestionFileError) as refused:
        parse_questions_xlsx(out.getvalue(), base)
    assert "100000" in str(refused.value)


def test_a_file_without_the_needed_columns_is_refused(base):
    with pytest.raises(QuestionFileError) as refused:
        parse_questions_xlsx(workbook_bytes([["题干", "备注"], ["某题", "x"]]), base)
    assert "题型" in str(refused.value)


# -- the admin pages -------------------------------------------------------------------------


def test_teacher_exports_and_imports_through_the_admin(client, base, other_base, teacher):
    training_base_faculty_add(base=other_base, user=teacher)
    original = varied_questions(base)

    response = client.get(reverse(EXPORT_URL), {"base": base.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == question_io.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]

    page = client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    assert reverse(EXPORT_URL) in page.content.decode()
    assert page.context["form"].fields["base"].initial is None  # two bases: no preselection

    response = client.post(
        reverse(IMPORT_URL),
        {"base": other_base.pk, "file": upload(response.content)},
        follow=True,
    )
    assert response.status_code == 200
    assert_says(response.content.decode(), "questions imported", "道试题")
    assert snapshot(Question.objects.filter(base=other_base)) == snapshot(original)


def test_export_follows_the_listing_filters(client, base, teacher):
    factories.questions(base, per_kind=1)
    factories.questions(base, level="intermediate_broker", per_kind=1)
    response = client.get(
        reverse(EXPORT_URL),
        {"type": "single", "category": "policy", "level": "junior_broker", "status": "active"},
    )
    data = sheet_rows(response.content)[2:]
    assert [(r[0], r[1]) for r in data] == [("单选题", "policy 单选 0")]
    assert sheet_rows(client.get(reverse(EXPORT_URL), {"status": "draft"}).content)[2:] == []


def test_a_bad_upload_shows_the_report_and_writes_nothing(client, base, teacher):
    content = workbook_bytes(
        [
            headers(),
            row(type="单选题", stem="好题", option_a="一", option_b="二", correct="A",
                category="公共知识", level="初级技术经纪人"),
            row(type="单选题", stem="两个答案", option_a="一", option_b="二", correct="A,B",
                category="公共知识", level="初级技术经纪人"),
        ]
    )  # fmt: skip
    response = client.post(reverse(IMPORT_URL), {"base": base.pk, "file": upload(content)})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "正确答案")]
    html = response.content.decode()
    assert_says(html, "Nothing was imported", "没有导入")
    assert "<td>3</td>" in html
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "english", "chinese"),
    [
        ("questions.csv", b"type,stem\n", ".xlsx", ".xlsx"),
        ("questions.xlsx", b"type,stem\n", "not an XLSX file", "不是 XLSX 文件"),
        ("big.xlsx", b"PK\x03\x04" + b"0" * question_io.MAX_FILE_BYTES, "5 MB", "5 MB"),
    ],
)
def test_the_import_page_refuses_bad_files(client, base, teacher, name, content, english, chinese):
    response = client.post(
        reverse(IMPORT_URL), {"base": base.pk, "file": upload(content, name=name)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert_says(" ".join(response.context["form"].errors["file"]), english, chinese)
    assert not Question.objects.exists()


def test_a_teacher_imports_only_into_and_exports_only_from_their_own_base(
    client, base, other_base, teacher
):
    factories.questions(base, per_kind=1)
    factories.questions(other_base, per_kind=1)
    Question.objects.filter(base=other_base).update(stem="别人的题")
    own = Question.objects.filter(base=base).count()

    page = client.get(reverse(IMPORT_URL))
    form = page.context["form"]
    assert list(form.fields["base"].queryset) == [base]
    assert form.fields["base"].initial == base.pk

    content = questions_to_xlsx(Question.objects.filter(base=base))
    response = client.post(reverse(IMPORT_URL), {"base": other_base.pk, "file": upload(content)})
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.context["form"].errors["base"]
    assert Question.objects.filter(base=other_base).count() == own

    exported = sheet_rows(client.get(reverse(EXPORT_URL)).content)[2:]
    assert len(exported) == own
    assert all(r[1] != "别人的题" for r in exported)
    # Asking for the other base by filter gives nothing either.
    assert sheet_rows(client.get(reverse(EXPORT_URL), {"base": other_base.pk}).content)[2:] == []


def test_a_base_editor_may_export_but_not_import(client, base):
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    factories.questions(base, per_kind=1)
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    content = questions_to_xlsx(Question.objects.all())
    response = client.post(reverse(IMPORT_URL), {"base": base.pk, "file": upload(content)})
    assert response.status_code == 403
    assert Question.objects.count() == 16


def test_a_trainee_gets_no_access(client, base):
    factories.questions(base, per_kind=1)
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    export = client.get(reverse(EXPORT_URL))
    assert export.status_code != 200
    assert export.get("Content-Type") != question_io.XLSX_CONTENT_TYPE
    assert client.get(reverse(IMPORT_URL)).status_code != 200
    content = questions_to_xlsx(Question.objects.all())
    response = client.post(reverse(IMPORT_URL), {"base": base.pk, "file": upload(content)})
    assert response.status_code != 200
    assert Question.objects.count() == 16


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 302
    assert "login" in response["Location"]
