"""Hostile or odd input found by an exploratory test: each gets a clear answer in the user's
language, never a server error, and changes nothing."""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from wagtail.documents.models import Document
from wagtail.images.models import Image

from cms.services import training_base_editor_add, training_base_faculty_add
from courses.services import enrolment_create
from portal.accounts.models import User
from portal.security import NulBytesRefusedMiddleware
from tests import factories
from tests.factories import PASSWORD, UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


# -- 1. the roster export -------------------------------------------------------------------


@pytest.fixture
def roster_url(client):
    base = factories.training_base("GD-R", "44")
    course = factories.course(base)
    for name, organisation in (
        ("学员\x07一", "某\x1b公司"),
        ("=1+1", '=HYPERLINK("http://evil.example/","x")'),
        ("@SUM(A1)", "+86 某大学"),
    ):
        enrolment_create(user=UserFactory(real_name=name, organisation=organisation), course=course)
    editor = UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    return reverse("courses:roster", args=(course.pk,))


def test_the_roster_xlsx_holds_odd_names_as_plain_text(client, roster_url):
    response = client.get(roster_url, {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=4))
    names = sorted(row[0].value for row in rows)
    assert names == ["=1+1", "@SUM(A1)", "学员一"]
    # Name, e-mail, phone, organisation, status, hours (the base's own staff see contacts).
    organisations = sorted(row[3].value for row in rows)
    assert organisations == sorted(
        ['=HYPERLINK("http://evil.example/","x")', "+86 某大学", "某公司"]
    )
    for row in rows:
        assert row[0].data_type == "s" and row[3].data_type == "s"  # text, never a formula
    assert rows[0][5].data_type == "n"  # hours stay numbers
    header = [cell.value for cell in next(sheet.iter_rows(min_row=3, max_row=3))]
    with translation.override("zh-hans"):
        assert header[0] == translation.gettext("Name")


def test_the_roster_page_still_shows_the_names(client, roster_url):
    response = client.get(roster_url)
    assert response.status_code == 200
    assert "HYPERLINK" in response.content.decode()


# -- 2. NUL characters in query strings -----------------------------------------------------


def through_middleware(url):
    seen = {}

    def view(request):
        seen["GET"] = request.GET
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = NulBytesRefusedMiddleware(view)(RequestFactory().get(url))
    return response, seen.get("GET")


def test_nul_characters_are_dropped_from_query_string_values():
    response, query = through_middleware("/bases/faculty/?specialty=%00%E4%B8%93%00&a=1&a=%002")
    assert response.status_code == 200
    assert query["specialty"] == "专"
    assert query.getlist("a") == ["1", "2"]
    assert not query._mutable
    response, query = through_middleware("/admin/questions/export/?q=%00&q%00=x")
    assert query.getlist("q") == ["", "x"] and list(query) == ["q"]


def test_a_query_string_without_nul_is_left_as_it_is():
    request = RequestFactory().get("/search/?q=a&q=b")
    original = request.GET
    NulBytesRefusedMiddleware(lambda request: None)(request)
    assert request.GET is original


def test_a_nul_in_the_path_is_still_refused():
    response, query = through_middleware("/bases/faculty%00/?specialty=x")
    assert response.status_code == 400
    assert query is None


def test_a_nul_in_the_faculty_filter_is_ignored(client):
    base = factories.training_base("GD-A", "44")
    factories.faculty_member(base, "甲老师", specialties=["技术评估"])
    factories.faculty_member(base, "丙老师", specialties=["科技法律"])
    response = client.get("/bases/faculty/?specialty=%E7%A7%91%E6%8A%80%E6%B3%95%E5%BE%8B%00")
    assert response.status_code == 200
    content = response.content.decode()
    assert "丙老师" in content and "甲老师" not in content
    assert client.get("/bases/faculty/?specialty=%00").status_code == 200


# -- 3. search-engine syntax in the site search ---------------------------------------------


@pytest.mark.parametrize("query", ['"', '"a', 'a"', '"高级"', '""', 'AND "OR" NOT', "'*^:"])
def test_quotes_in_the_site_search_find_nothing_or_the_pages(english, query):
    response = english.get("/search/", {"q": query})
    assert response.status_code == 200


def test_a_quoted_search_still_finds_the_page(client):
    base = factories.training_base("GD-A", "44")
    factories.textbook(base, "高级提升")
    response = client.get("/search/", {"q": '"高级提升"'})
    assert response.status_code == 200
    assert "高级提升" in [page.title for page in response.context["results"]]


@pytest.fixture
def admin_client(client):
    sign_in(client, with_totp(UserFactory(is_superuser=True, is_staff=True)))
    return client


@pytest.mark.parametrize("url", ["/admin/images/", "/admin/documents/"])
def test_quotes_in_the_admin_image_and_document_search(admin_client, url):
    Image.objects.create(title="a picture", file=ContentFile(factories.png_bytes(), "a.png"))
    Document.objects.create(title="a document", file=ContentFile(b"words", "a.txt"))
    assert admin_client.get(url, {"q": '"a'}).status_code == 200


# -- 4. the dashboard's year 0 ---------------------------------------------------------------


@pytest.mark.parametrize("query", [{"start": "0000-01"}, {"end": "0000-12"}])
def test_year_zero_on_the_dashboard_is_a_clear_refusal(english, query):
    sign_in(english, with_totp(UserFactory(roles=["Administrator"])))
    base = factories.training_base("GD-A", "44")
    for url in (
        reverse("dashboard_national"),
        reverse("dashboard_chart", args=["trainees", "csv"]),
        reverse("dashboard_base", args=[base.pk]),
    ):
        response = english.get(url, query)
        assert response.status_code == 400, url
        assert "The figures begin in 1984" in response.content.decode(), url


# -- 5. the question export's base filter ----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["²", "١", "𝟙", "-1", " 1", "9" * 30, "9" * 5000],
    ids=["superscript", "arabic-indic", "maths", "negative", "space", "too-big", "too-long"],
)
def test_a_base_that_is_not_a_plain_number_is_ignored_by_the_question_export(client, value):
    base = factories.training_base("GD-A", "44")
    factories.questions(base, per_kind=1)
    teacher = UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    response = client.get(reverse("courses_questions_export"), {"base": [value, str(base.pk)]})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows())
    assert len(rows) > 2


# -- 6. over-long e-mail addresses -----------------------------------------------------------


def long_address(length):
    domain = "@" + ".".join(["a" * 60, "b" * 60, "c" * 60, "example"]) + ".org"
    local = "x" * min(64, length - len(domain))
    middle = length - len(local) - len(domain)
    if middle > 0:
        domain = "@" + "d" * (middle - 1) + "." + domain[1:]
    address = local + domain
    assert len(address) == length, len(address)
    return address


SIGNUP = {
    "real_name": "李 明",
    "province": "44",
    "organisation": "某大学",
    "phone": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "privacy_consent": "on",
}


@pytest.mark.parametrize("length", [255, 300])
def test_an_over_long_address_is_refused_at_sign_up(english, length):
    before = User.objects.count()
    response = english.post(reverse("account_signup"), {**SIGNUP, "email": long_address(length)})
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert any("at most 254 characters" in str(error) for error in errors), errors
    assert User.objects.count() == before


def test_an_address_of_254_characters_is_accepted_at_sign_up(english):
    response = english.post(reverse("account_signup"), {**SIGNUP, "email": long_address(254)})
    assert response.status_code == 302
    assert User.objects.filter(email=long_address(254)).exists()


def test_an_over_long_address_is_refused_when_added(english):
    from allauth.account.models import EmailAddress

    user = UserFactory()
    sign_in(english, user)
    before = list(EmailAddress.objects.values_list("email", flat=True))
    response = english.post(
        reverse("account_email"), {"action_add": "", "email": long_address(300)}
    )
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert list(EmailAddress.objects.values_list("email", flat=True)) == before


# -- 7. invisible and control characters in names --------------------------------------------

INVISIBLE_NAMES = ["\u200b", "\u200b\u200c\u200d", "\ufeff \u2060", "\u3164", "\u00ad"]
CONTROL_NAMES = ["李\u200b明", "李\x07明", "\u202e明李", "李明\x7f"]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_with_nothing_visible_is_refused_at_sign_up(english, name):
    data = {**SIGNUP, "email": "new@example.org", "real_name": name}
    response = english.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert "real_name" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_control_characters_in_a_name_are_refused_at_sign_up(english, name):
    data = {**SIGNUP, "email": "new@example.org", "real_name": name}
    response = english.post(reverse("account_signup"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["real_name"])
    assert "invisible or control characters" in errors
    assert not User.objects.filter(email="new@example.org").exists()


def test_control_characters_in_the_organisation_are_refused_at_sign_up(english):
    data = {**SIGNUP, "email": "new@example.org", "organisation": "某\u200b大学"}
    response = english.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()


def test_whitespace_in_the_organisation_is_tidied_at_sign_up(english):
    data = {**SIGNUP, "email": "new@example.org", "organisation": " 某\t大学\n "}
    assert english.post(reverse("account_signup"), data).status_code == 302
    assert User.objects.get(email="new@example.org").organisation == "某 大学"


@pytest.mark.parametrize(
    "field, value, message",
    [
        *(("real_name", name, "visible") for name in INVISIBLE_NAMES),
        *(("real_name", name, "invisible or control characters") for name in CONTROL_NAMES),
        ("organisation", "某\x1b公司", "invisible or control characters"),
        ("organisation", "\u200b", "invisible or control characters"),
    ],
)
def test_the_profile_refuses_invisible_and_control_characters(english, field, value, message):
    user = UserFactory(real_name="旧名字", organisation="旧单位")
    english.force_login(user)
    data = {"real_name": "新名字", "phone": "", "province": "33", "organisation": "新单位"}
    response = english.post(reverse("account_profile"), {**data, field: value})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors, errors
    user.refresh_from_db()
    assert (user.real_name, user.organisation, user.province) == ("旧名字", "旧单位", "44")


def test_the_profile_still_accepts_ordinary_names(english):
    user = UserFactory(real_name="旧名字")
    english.force_login(user)
    data = {"real_name": "阿依古丽·买买提", "phone": "", "province": "65", "organisation": ""}
    assert english.post(reverse("account_profile"), data).status_code == 302
    user.refresh_from_db()
    assert user.real_name == "阿依古丽·买买提"


def test_the_model_validates_the_fields_for_any_model_form():
    user = User(email="x@example.org", real_name="\u200b", organisation="a\x07b")
    with pytest.raises(Exception) as raised:
        user.full_clean(exclude=["password"])
    errors = raised.value.message_dict
    assert set(errors) >= {"real_name", "organisation"}
