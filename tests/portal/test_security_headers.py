"""Security headers with production settings, the Content-Security-Policy and its nonces, and
``manage.py check --deploy`` with a production environment."""

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "PORTAL_CSP",
    "PORTAL_CSP_ADMIN",
]


def production_env(tmp_path) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_SIGNING_KEY_SECRET": secrets.token_urlsafe(50),
        "PORTAL_IDENTITY_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory):
    """The security settings exactly as production computes them (a fresh interpreter)."""
    tmp_path = tmp_path_factory.mktemp("production")
    names = json.dumps(PRODUCTION_SECURITY_SETTINGS)
    code = (
        "import json, portal.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in json.loads({names!r})}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_manage_check_deploy_reports_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr and "security." not in result.stdout


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(client, production_settings):
    with override_settings(**production_settings, ALLOWED_HOSTS=["testserver"]):
        response = client.get(reverse("account_login"), secure=True)
        assert response.status_code == 200
        hsts = response["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", policy)
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        for name in ("sessionid", "csrftoken"):
            if name in response.cookies:
                assert response.cookies[name]["secure"]
        # Plain HTTP is sent to HTTPS.
        plain = client.get(reverse("account_login"))
        assert plain.status_code == 301 and plain["Location"].startswith("https://")


@pytest.mark.django_db
def test_every_inline_script_carries_the_response_s_nonce(client):
    from certification.models import CertificationLevel

    assert CertificationLevel.objects.exists()
    client.force_login(factories.UserFactory())
    response = client.get(reverse("application_new"))
    nonce = re.search(r"'nonce-([\w-]+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline, "the page was expected to have an inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    # A fresh nonce for every response.
    again = client.get(reverse("application_new"))["Content-Security-Policy"]
    assert nonce not in again


@pytest.mark.django_db
def test_the_wagtail_admin_keeps_a_policy_that_lets_it_run(client):
    base = factories.training_base("GD-A")
    from cms.services import training_base_editor_add

    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[base.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.PORTAL_CSP_ADMIN


def template_files():
    for app in ("portal", "cms", "courses", "certification"):
        yield from (ROOT / app).rglob("templates/**/*.html")


def test_templates_have_no_script_the_policy_would_block():
    """Inline scripts carry the nonce; no inline event handlers or javascript: links."""
    problems = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        for attrs in re.findall(r"<script([^>]*)>", text):
            executable = "application/json" not in attrs and "text/template" not in attrs
            if "src=" not in attrs and executable and "request.csp_nonce" not in attrs:
                problems.append(f"{name}: an inline <script> without the nonce")
        for handler in re.findall(r"<[^>]+\s(on[a-z]+)\s*=", text):
            problems.append(f"{name}: an inline {handler}= handler")
        if "javascript:" in text:
            problems.append(f"{name}: a javascript: link")
    assert not problems, "\n".join(problems)
    assert len(list(template_files())) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/verify/%00/", "/certification/bodies/GD%00/", "/me/%00/"])
def test_a_nul_character_in_the_path_is_a_bad_request(client, url):
    """PostgreSQL refuses NUL in text: a view looking up what the path names would crash."""
    response = client.get(url)
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_character_in_a_search_is_dropped(client):
    response = client.get("/search/?q=%00")
    assert response.status_code == 200
    assert response.context["query"] == ""
