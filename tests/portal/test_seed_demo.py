"""`seed_demo` builds a believable site, with working demo accounts, and is idempotent."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from pypdf import PdfReader
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Page
from wagtail.models import Revision as PageRevision

from cms.models import FacultyMemberPage, NewsPage, TextbookPage, TrainingBasePage
from portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Page,
            User,
            TextbookPage,
            Image,
            Document,
            Collection,
            Group,
            EmailAddress,
            Authenticator,
            PageRevision,
        )
    )


def test_seed_demo_builds_the_site_and_running_it_again_changes_nothing(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    for spec in DEMO_ACCOUNTS:
        assert spec.email in out.getvalue()

    bases = TrainingBasePage.objects.live()
    assert bases.count() >= 3
    assert len(set(bases.values_list("province", flat=True))) >= 3
    for base in bases:
        assert TextbookPage.objects.live().descendant_of(base).exists()
        assert FacultyMemberPage.objects.live().descendant_of(base).count() >= 4
        assert NewsPage.objects.live().descendant_of(base).exists()
    assert all(m.photo_id for m in FacultyMemberPage.objects.all())

    book = TextbookPage.objects.filter(document__isnull=False).first()
    reader = PdfReader(book.document.file.open("rb"))
    assert len(reader.pages) >= 2
    assert book.title in reader.pages[0].extract_text()

    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    # The demo editor edits the first base.
    editor = User.objects.get(email="editor@demo.local")
    first_base = bases.order_by("path").first()
    assert first_base.permissions_for_user(editor).can_edit()
    other_base = bases.order_by("path").last()
    assert not other_base.permissions_for_user(editor).can_edit()

    assert client.login(username="trainee@demo.local", password=DEMO_PASSWORD)


def test_seed_demo_scale_adds_trainees_once():
    call_command("seed_demo", "--scale", "25", stdout=io.StringIO())
    assert User.objects.filter(email__endswith="@scale.demo.local").count() == 25
    call_command("seed_demo", "--scale", "30", stdout=io.StringIO())
    scaled = User.objects.filter(email__endswith="@scale.demo.local")
    assert scaled.count() == 30
    assert all(u.groups.filter(name="Trainee").exists() for u in scaled[:5])


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(email="admin@demo.local").exists()
