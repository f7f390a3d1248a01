"""Levels, tracks and certifying bodies in the page's language; both, separated, where both show;
the home page's title said once; a site icon at /favicon.ico."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from certification.levels.display import bilingual_name, localized_name
from certification.levels.models import CertificationLevel, Track
from cms.models import HomePage
from tests import factories
from tests.certification.factories import certifier, certifying_body, issued_certificate

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHINESE_LEVELS = ("初级技术经纪人", "中级技术经纪人", "高级技术经理人", "技术合同认定登记员")


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response) -> str:
    """The page's visible text, roughly: tags and the <head> removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"(?s)<head>.*?</head>|<script.*?</script>|<style.*?</style>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_helpers_pick_the_language_and_separate_both():
    level = CertificationLevel.objects.get(code="junior_broker")
    with translation.override("zh-hans"):
        assert localized_name(level) == "初级技术经纪人"
        assert bilingual_name(level) == "初级技术经纪人 / Junior Technology Broker"
    with translation.override("en"):
        assert localized_name(level) == "Junior Technology Broker"
        assert bilingual_name(level) == "Junior Technology Broker"
    # No English name yet: the Chinese one, in both languages, and no dangling separator.
    level.name_en = ""
    with translation.override("en"):
        assert localized_name(level) == "初级技术经纪人"
        assert bilingual_name(level) == "初级技术经纪人"


def test_every_seeded_level_and_track_has_an_english_name():
    assert all(level.name_en for level in CertificationLevel.objects.all())
    assert all(track.name_en for track in Track.objects.all())
    assert not any(CHINESE.search(level.name_en) for level in CertificationLevel.objects.all())


def test_certification_page_in_chinese_shows_both_names_separated():
    text = _text(_client("zh-hans").get("/certification/"))
    assert "初级技术经纪人 / Junior Technology Broker" in text
    assert "高级技术经理人 / Senior Technology Manager" in text
    # The bug: the two names run together.
    assert "初级技术经纪人Junior" not in text.replace(" ", "")


def test_certification_page_in_english_has_no_chinese_level_or_track_names():
    certifying_body("GD")
    response = _client("en").get("/certification/")
    text = _text(response)
    assert "Junior Technology Broker" in text and "Senior Technology Manager" in text
    assert "Technology-contract registrar" in text
    assert "GD Technology Transfer Certification Centre" in text
    for name in (*CHINESE_LEVELS, "技术经纪人 / 技术经理人", "GD 技术转移人才评价中心"):
        assert name not in text


def test_senior_level_on_the_dark_rung_has_light_link_text():
    """The third rung of the ladder is a dark card; its link must not keep the dark link colour."""
    css = (settings.BASE_DIR / "portal" / "static" / "portal" / "site.css").read_text()
    assert re.search(r"\.ladder li:nth-child\(3\) a \{[^}]*color: #fff", css)


def test_level_and_body_pages_in_english():
    certifying_body("GD")
    level_text = _text(_client("en").get("/certification/levels/intermediate_broker/"))
    assert "Intermediate Technology Broker" in level_text
    assert "Junior Technology Broker" in level_text  # the prerequisite, by its English name
    assert not any(name in level_text for name in CHINESE_LEVELS)
    body_text = _text(_client("en").get("/certification/bodies/GD/"))
    assert "<h1>GD Technology Transfer Certification Centre</h1>" in (
        _client("en").get("/certification/bodies/GD/").content.decode()
    )
    assert not any(name in body_text for name in CHINESE_LEVELS)


def test_my_certificates_and_registry_and_verify_name_the_level_in_english():
    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org")
    holder = factories.UserFactory(email="holder@example.org", real_name="欧阳明")
    certificate = issued_certificate(holder, body, reviewer)
    english = _client("en")
    english.force_login(holder)
    mine = _text(english.get("/me/certificates/"))
    assert "Junior Technology Broker" in mine and "初级技术经纪人" not in mine
    application = _text(english.get(f"/me/applications/{holder.applications.get().pk}/"))
    assert "Application for Junior Technology Broker" in application
    assert "初级技术经纪人" not in application
    verify = _text(_client("en").get(f"/verify/{certificate.number}/"))
    assert "Junior Technology Broker" in verify and "初级技术经纪人" not in verify
    chinese_verify = _text(_client("zh-hans").get(f"/verify/{certificate.number}/"))
    assert "初级技术经纪人 / Junior Technology Broker" in chinese_verify


def test_registry_names_the_level_in_the_pages_language():
    from certification.registry.services import registry_join

    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org")
    holder = factories.UserFactory(email="holder@example.org", real_name="欧阳明")
    issued_certificate(holder, body, reviewer)
    registry_join(user=holder, organisation="某某公司")
    english = _text(_client("en").get("/registry/"))
    assert "欧阳明" in english
    assert "Junior Technology Broker" in english and "初级技术经纪人" not in english
    chinese = _text(_client("zh-hans").get("/registry/"))
    assert "初级技术经纪人" in chinese


def test_home_page_title_says_the_sites_name_once():
    home = HomePage.objects.get()
    home.title = "技术转移人才培训平台"
    home.save_revision().publish()
    html = _client("zh-hans").get("/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title == "技术转移人才培训平台"
    english = _client("en").get("/").content.decode()
    title = re.search(r"<title>(.*?)</title>", english, re.S).group(1).strip()
    assert title == "Technology Transfer Talent Training Portal"
    # A page below the home page keeps its own title first.
    base = factories.training_base("GD-A")
    html = _client("zh-hans").get(base.url).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title.startswith(f"{base.title} · ")


def test_favicon_answers_with_an_icon_for_everyone():
    response = _client("zh-hans").get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
    page = _client("zh-hans").get("/certification/").content.decode()
    assert 'rel="icon"' in page


def test_applying_in_english_names_the_levels_in_english():
    certifying_body("CN", kind="national", levels=("junior_broker", "intermediate_broker"))
    holder = factories.UserFactory(email="applicant@example.org")
    english = _client("en")
    english.force_login(holder)
    html = english.get("/me/applications/new/?level=intermediate_broker").content.decode()
    assert ">Technology broker and manager · Junior Technology Broker</option>" in html
    assert "初级技术经纪人" not in html and "中级技术经纪人" not in html
    assert "What Intermediate Technology Broker requires" in html
