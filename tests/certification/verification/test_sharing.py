"""Sharing a certificate: link previews on the verify page, LinkedIn's add-to-profile form and a
QR code a phone (WeChat) can scan, on the holder's page."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from certification.links import verify_url
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return UserFactory(real_name="张三丰")


@pytest.fixture
def certificate(holder):
    body = certifying_body("GD")
    return issued_certificate(holder, body, certifier(body))


def _meta(page: str, prop: str) -> str:
    match = re.search(rf'<meta property="{prop}" content="([^"]*)">', page)
    assert match, prop
    return html.unescape(match.group(1))


def test_the_verify_page_has_open_graph_tags_without_the_full_name(client, certificate):
    page = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    assert _meta(page, "og:url") == verify_url(certificate.number)
    assert certificate.number in _meta(page, "og:title")
    assert certificate.level_name in _meta(page, "og:title")
    assert "张*丰" in _meta(page, "og:description")
    assert "张三丰" not in page
    image = urlparse(_meta(page, "og:image"))
    assert image.scheme in ("http", "https")
    assert client.get(image.path).status_code == 200


def test_the_holder_gets_a_filled_in_linkedin_link(client, holder, certificate):
    client.force_login(holder)
    page = client.get(reverse("my_certificates")).content.decode()
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page)
    href = html.unescape(link[1])
    query = parse_qs(urlparse(href).query)
    assert query["certId"] == [certificate.number]
    assert query["certUrl"] == [verify_url(certificate.number)]
    assert query["organizationName"] == [certificate.body_name]
    assert query["issueYear"] == [str(certificate.issued_on.year)]
    assert query["expirationYear"] == [str(certificate.valid_until.year)]


def test_the_holders_qr_code_scans_to_the_verify_page(client, holder, certificate, tmp_path):
    client.force_login(holder)
    page = client.get(reverse("my_certificates")).content.decode()
    svg = re.search(r'<div class="share-qr-code">(<svg.*?</svg>)</div>', page, re.S)[1]
    # Draw the SVG's bars into a picture and read it back as a phone would.
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1])
    scale = 8
    picture = Image.new("L", (size * scale, size * scale), 255)
    pixels = picture.load()
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(width) * scale):
            for dy in range(scale):
                pixels[int(x) * scale + dx, int(y) * scale + dy] = 0
    found = zxingcpp.read_barcodes(picture)
    assert [code.text for code in found] == [verify_url(certificate.number)]
