"""A person's profile: the certificate name, contacts and a validated photo."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import UserFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    user = UserFactory(real_name="旧名字")
    client.force_login(user)
    return user


def post_profile(client, **extra):
    data = {"real_name": "新名字", "phone": "", "province": "33", "organisation": "某公司", **extra}
    return client.post(reverse("account_profile"), data)


def test_profile_saves_name_and_photo(client, person, settings):
    photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    response = post_profile(client, photo=photo)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.real_name == "新名字"
    assert person.province == "33"
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / person.photo.name
    with Image.open(stored) as image:
        assert image.size == (60, 80)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.png", b"%PDF-1.4 not a picture", content_type="image/png"), "图片"),
        (SimpleUploadedFile("me.gif", png_bytes(fmt="GIF"), content_type="image/gif"), "JPEG"),
    ],
    ids=["not-an-image", "wrong-format"],
)
def test_bad_photo_is_refused_and_nothing_changes(client, person, upload, message):
    response = post_profile(client, photo=upload)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photo"])
    assert message in errors
    person.refresh_from_db()
    assert person.real_name == "旧名字"
    assert not person.photo


def test_oversized_photo_is_refused(client, person, settings):
    settings.PORTAL_PHOTO_MAX_BYTES = 1000
    big = png_bytes(size=(400, 400)) + b"\0" * 2000
    response = post_profile(
        client, photo=SimpleUploadedFile("big.png", big, content_type="image/png")
    )
    assert response.status_code == 200
    assert "过大" in " ".join(response.context["form"].errors["photo"])
    person.refresh_from_db()
    assert not person.photo


def test_decompression_bomb_is_refused_without_decoding_it(client, person):
    # A small file that claims to be 20000×20000 pixels.
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    assert out.tell() < 200_000
    bomb = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    response = post_profile(client, photo=bomb)
    assert response.status_code == 200
    assert "像素" in " ".join(response.context["form"].errors["photo"])
    person.refresh_from_db()
    assert not person.photo


def test_profile_needs_sign_in(client):
    response = client.get(reverse("account_profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
