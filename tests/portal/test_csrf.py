"""CSRF protection on every form: no view opts out except a documented few, and posting to the
forms that matter without a token is refused, changing nothing."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from cms.services import training_base_editor_add, training_base_faculty_add
from tests import factories
from tests.certification.factories import certifier, certifying_body, submitted_application

# Views Django is told not to check, and why that is safe. Everything else is checked.
CSRF_EXEMPT_ALLOWED = {
    # Wagtail's admin API is Django REST framework, which marks its views exempt for Django
    # and checks the token itself (SessionAuthentication) on every unsafe request; tested in
    # test_the_admin_api_checks_the_token_itself.
    "wagtail.admin.api.views.PagesAdminAPIViewSet",
    "wagtail.documents.api.admin.views.DocumentsAdminAPIViewSet",
    "wagtail.images.api.admin.views.ImagesAdminAPIViewSet",
    # The public API's holder match: called by other sites' servers with no session or cookie,
    # and it reads nothing of the signed-in person (a cross-site post learns nothing a direct
    # one would not); rate-limited per address and per certificate.
    "certification.verification.views.api_holder_match",
    # Anything else under /api/, whatever the method: a JSON "not found", never a CSRF page.
    "certification.verification.views.api_not_found",
    # OpenID4VCI (a wallet putting a certificate in itself): called by wallet apps with no
    # session or cookie. The token endpoint's key is the single-use pre-authorised code, the
    # credential endpoint's a bearer token and a key proof, and the nonce endpoint changes
    # nothing of anyone's; tested in tests/certification/wallet.
    "certification.wallet.views.token",
    "certification.wallet.views.nonce",
    "certification.wallet.views.credential",
}


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def test_no_view_is_exempt_from_csrf_checks_except_the_documented_few():
    exempt = {
        (route, pattern.lookup_str)
        for route, pattern in url_patterns()
        if getattr(pattern.callback, "csrf_exempt", False)
    }
    unexpected = sorted(route for route, view in exempt if view not in CSRF_EXEMPT_ALLOWED)
    assert not unexpected, f"views exempt from CSRF checks: {unexpected}"
    assert len(list(url_patterns())) > 100  # the walk really went through the site


def test_the_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


@pytest.fixture
def strict():
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _refused(response):
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_and_sign_up_need_the_token(strict):
    person = factories.UserFactory()
    _refused(
        strict.post(
            reverse("account_login"), {"login": person.email, "password": factories.PASSWORD}
        )
    )
    assert "_auth_user_id" not in strict.session
    _refused(strict.post(reverse("account_signup"), {"email": "new@example.org"}))
    _refused(strict.post(reverse("account_reset_password"), {"email": person.email}))


@pytest.mark.django_db
def test_the_trainee_s_forms_need_the_token(strict):
    person = factories.UserFactory(real_name="原来的名字")
    strict.force_login(person)
    _refused(strict.post(reverse("account_profile"), {"real_name": "改过的名字", "province": "44"}))
    person.refresh_from_db()
    assert person.real_name == "原来的名字"
    _refused(strict.post(reverse("account_logout")))
    _refused(strict.post(reverse("set_language"), {"language": "en"}))


@pytest.mark.django_db
def test_staff_and_certifier_actions_need_the_token(strict):
    from courses.models import AttendanceMark, LessonPage

    base = factories.training_base("GD-A")
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    klass = factories.course(base, lessons=[("practice", "2", "in_person")])
    lesson = LessonPage.objects.descendant_of(klass).get()
    strict.force_login(teacher)
    _refused(strict.post(reverse("courses:attendance", args=[lesson.pk]), {"present": []}))
    assert not AttendanceMark.objects.exists()

    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    strict.force_login(editor)
    _refused(strict.post(reverse("wagtailadmin_pages:unpublish", args=[base.pk])))
    base.refresh_from_db()
    assert base.live

    body = certifying_body("GD")
    reviewer = certifier(body)
    application = submitted_application(factories.UserFactory(), body)
    signed_in = Client()
    factories.sign_in(signed_in, reviewer)
    strict.cookies[settings.SESSION_COOKIE_NAME] = signed_in.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    _refused(
        strict.post(reverse("certify_application", args=[application.pk]), {"action": "approve"})
    )
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_the_admin_api_checks_the_token_itself(strict):
    base = factories.training_base("GD-A")
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    strict.force_login(editor)
    url = f"/admin/api/main/pages/{base.pk}/action/unpublish/"
    response = strict.post(url, {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    base.refresh_from_db()
    assert base.live
