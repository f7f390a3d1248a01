"""A trainee downloads their own transcript (学习成绩单) as a PDF from "My learning"."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from courses.models import Attempt, LessonPage
from courses.services import attempt_start, attempt_submit, enrolment_create
from portal.transcript import transcript_pdf
from tests import factories
from tests.requirements import missing

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text without whitespace, so a wrapped cell still reads as one string."""
    return "".join(text.split())


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def trainee(client):
    user = factories.UserFactory(
        roles=["Trainee"], real_name="王小明", organisation="华南技术转移研究院"
    )
    client.force_login(user)
    return user


@pytest.fixture
def record(base, trainee, no_entry_rules):
    """One course with a completed 1.5-hour lesson and a passed final exam (sat without the
    level's hours: the transcript shows what was done, whatever the entry rules)."""
    course = factories.course(base, title="技术合同实务培训班")
    factories.questions(base)
    exam = factories.exam(
        base,
        course,
        title="技术经纪人结业考试",
        blueprint=[{"type": "single", "category": "general", "count": 2}],
    )
    enrolment_create(user=trainee, course=course)
    lesson = LessonPage.objects.descendant_of(course).get(slug="lesson-1")
    factories.credit_lesson(trainee, lesson)
    attempt = attempt_start(user=trainee, exam=exam)
    answers = {q.position: q.correct[0] for q in attempt.questions.all()}
    attempt = attempt_submit(attempt=attempt, answers=answers)
    assert attempt.status == Attempt.Status.FINAL and attempt.passed
    return course, exam


def test_trainee_downloads_their_transcript_with_name_course_and_hours(client, trainee, record):
    course, exam = record
    page = client.get(reverse("my_learning")).content.decode()
    assert reverse("transcript") in page

    response = client.get(reverse("transcript"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="transcript-')
    assert disposition.endswith('.pdf"')
    assert "no-store" in response["Cache-Control"]

    data = response.content
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait
    assert reader.pages[0].mediabox.height == pytest.approx(841.89, abs=0.5)
    assert "王小明" in reader.metadata.title
    assert reader.metadata.author

    text = flat(pdf_text(data))
    assert flat(gettext("Transcript")) in text  # 学习成绩单 in the default language
    assert "王小明" in text
    assert trainee.email in text
    assert "广东" in text  # the province label, not its code
    assert "华南技术转移研究院" in text
    assert flat(course.title) in text
    assert "1.5/3.5" in text  # credited of total hours for the course
    assert "公共知识" in text and "政策法规" in text  # module labels, in Chinese
    assert "通过" in text and "未通过" not in text  # passed
    assert flat(exam.title) in text
    assert "100.0%" in text
    assert flat(gettext("Page %(page)d of %(pages)d") % {"page": 1, "pages": 1}) in text


def test_the_transcript_embeds_a_subset_of_the_cjk_font(trainee, record):
    data = transcript_pdf(user=trainee)
    binary = shutil.which("pdffonts")
    if binary is None:
        missing("pdffonts (poppler-utils) is not installed; cannot check font embedding")
    result = subprocess.run([binary, "-"], input=data, capture_output=True, check=True, timeout=30)
    rows = result.stdout.decode().splitlines()[2:]  # after the header and the dashes
    assert rows, "the PDF has no fonts"
    cjk = [row for row in rows if "WenQuanYi" in row or "PortalCJK" in row]
    assert cjk, result.stdout.decode()
    for row in cjk:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert emb == "yes", row
        assert sub == "yes", row
        assert "+" in name, row  # a subset tag such as AAAAAA+


def test_the_transcript_follows_the_active_language(trainee, record):
    with translation.override("en"):
        text = pdf_text(transcript_pdf(user=trainee))
    assert "Transcript" in text
    assert "General knowledge" in text
    assert "Passed" in text
    assert "王小明" in flat(text)


def test_a_person_with_no_records_gets_an_empty_but_valid_transcript(client):
    user = factories.UserFactory(real_name="李四")
    client.force_login(user)
    response = client.get(reverse("transcript"))
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    assert "李四" in text
    assert "0.0" in text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    url = reverse("transcript")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert url in response["Location"]


def test_each_person_gets_only_their_own_transcript(client, base, trainee, record):
    course, exam = record
    other = factories.UserFactory(real_name="赵六", organisation="北方技术市场")
    other_course = factories.course(base, title="另一期培训班")
    enrolment_create(user=other, course=other_course)

    client.force_login(other)
    text = flat(pdf_text(client.get(reverse("transcript")).content))
    assert "赵六" in text and other.email in text
    assert flat(other_course.title) in text
    assert "王小明" not in text and trainee.email not in text
    assert "华南技术转移研究院" not in text
    assert flat(course.title) not in text
    assert flat(exam.title) not in text

    client.force_login(trainee)
    text = flat(pdf_text(client.get(reverse("transcript")).content))
    assert "王小明" in text
    assert "赵六" not in text and other.email not in text
    assert flat(other_course.title) not in text


def test_without_a_cjk_font_the_transcript_refuses_clearly(trainee, monkeypatch):
    from cms import fonts

    monkeypatch.setattr(fonts, "cjk_font_path", lambda: None)
    with pytest.raises(RuntimeError, match="CJK"):
        transcript_pdf(user=trainee)
