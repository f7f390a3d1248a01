"""Factories for the data tests need. Build what a test needs; never load the whole demo."""

import datetime
import io

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from PIL import Image as PILImage

from cms.models import (
    FacultyIndexPage,
    FacultyMemberPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    TextbookIndexPage,
    TextbookPage,
    TrainingBaseIndexPage,
    TrainingBasePage,
)
from cms.taxonomy import Accreditation, Level, ModuleCategory
from portal.accounts.models import User

PASSWORD = "a-Strong-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    real_name = factory.Sequence(lambda n: f"学员{n}")
    province = "44"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            self.save()


def with_totp(user):
    """Give ``user`` an authenticator, as a certifier or administrator who has set one up."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def sign_in(client, user, password=PASSWORD):
    """Sign in through the real forms, giving the two-factor code where the user has one."""
    from django.urls import reverse

    from portal.accounts.demo import totp_current_code

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.get("Location") == reverse("mfa_authenticate"):
        client.post(reverse("mfa_authenticate"), {"code": totp_current_code(user)})
    assert client.session.get("_auth_user_id") == str(user.pk), "sign-in failed"
    return user


def png_bytes(size=(60, 80), colour=(200, 30, 30), fmt="PNG") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def base_index() -> TrainingBaseIndexPage:
    existing = TrainingBaseIndexPage.objects.first()
    if existing:
        return existing
    return publish_child(
        HomePage.objects.get(), TrainingBaseIndexPage(title="培训基地", slug="bases")
    )


def training_base(code="GD-A", province="44", title=None, slug=None) -> TrainingBasePage:
    """A published base with its textbook, faculty and news indexes."""
    base = publish_child(
        base_index(),
        TrainingBasePage(
            title=title or f"{code} 培训基地",
            slug=slug or code.lower(),
            short_code=code,
            province=province,
            city="某市",
            accreditation=Accreditation.NATIONAL_2020,
        ),
    )
    publish_child(base, TextbookIndexPage(title="教材", slug="textbooks"))
    publish_child(base, FacultyIndexPage(title="师资", slug="faculty"))
    publish_child(base, NewsIndexPage(title="动态", slug="news"))
    return base


def textbook(
    base,
    title="实务教程",
    levels=(Level.JUNIOR_BROKER,),
    modules=(ModuleCategory.PRACTICE,),
    slug=None,
    **fields,
):
    index = TextbookIndexPage.objects.child_of(base).get()
    fields = {"authors": "某作者", "publisher": "某出版社", "year": 2025, **fields}
    page = TextbookPage(
        title=title,
        slug=slug or f"book-{TextbookPage.objects.count() + 1}",
        levels=list(levels),
        modules=list(modules),
        **fields,
    )
    return publish_child(index, page)


def faculty_member(base, name="林老师", specialties=("技术评估",)):
    index = FacultyIndexPage.objects.child_of(base).get()
    member = FacultyMemberPage(
        title=name,
        slug=f"member-{FacultyMemberPage.objects.count() + 1}",
        organisation="某大学",
        levels=[Level.JUNIOR_BROKER],
        modules=[ModuleCategory.GENERAL],
    )
    member.specialties.add(*specialties)
    return publish_child(index, member)


def news_item(parent_index, title="新闻", date=datetime.date(2026, 1, 1)):
    return publish_child(
        parent_index, NewsPage(title=title, slug=f"news-{NewsPage.objects.count() + 1}", date=date)
    )
