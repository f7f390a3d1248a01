"""WeChat sign-in is switched off unless its app id and secret are configured: no button, no
address, no table (``WECHAT_SIGN_IN`` in portal/settings.py). The suite runs without them;
tests/portal/test_wechat.py switches it on."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
WECHAT_PATHS = [
    "/accounts/weixin/login/",
    "/accounts/weixin/login/?process=connect",
    "/accounts/weixin/login/callback/?code=abc&state=xyz",
    "/accounts/3rdparty/",
    "/accounts/3rdparty/signup/",
]


def test_without_settings_the_sign_in_page_has_no_wechat_button(client):
    assert not settings.WECHAT_SIGN_IN
    text = client.get(reverse("account_login")).content.decode()
    assert "weixin" not in text
    assert "微信" not in text and "WeChat" not in text


@pytest.mark.parametrize("path", WECHAT_PATHS)
def test_without_settings_the_wechat_addresses_answer_404(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"process": "login"}).status_code == 404


@pytest.mark.parametrize("path", WECHAT_PATHS)
def test_without_settings_the_wechat_addresses_answer_404_when_signed_in(client, path):
    client.force_login(UserFactory())
    assert client.get(path).status_code == 404


def test_without_settings_no_social_account_app_and_no_link_on_the_account_pages(client):
    assert "allauth.socialaccount" not in settings.INSTALLED_APPS
    with pytest.raises(NoReverseMatch):
        reverse("socialaccount_connections")
    client.force_login(UserFactory())
    text = client.get(reverse("account_email")).content.decode()
    assert reverse("mfa_index") in text  # the account menu is there, without WeChat
    assert "微信" not in text and "WeChat" not in text


def _settings_in_a_fresh_interpreter(tmp_path, **environment) -> dict:
    names = ["INSTALLED_APPS", "WECHAT_SIGN_IN", "SOCIALACCOUNT_PROVIDERS", "PORTAL_CSP"]
    code = (
        "import json, portal.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_app_id_alone_does_not_switch_it_on_both_do(tmp_path):
    id_only = _settings_in_a_fresh_interpreter(tmp_path, WECHAT_APP_ID="wx0123456789abcdef")
    assert not id_only["WECHAT_SIGN_IN"]
    assert "allauth.socialaccount" not in id_only["INSTALLED_APPS"]
    assert id_only["SOCIALACCOUNT_PROVIDERS"]["weixin"]["APPS"] == []
    assert "open.weixin.qq.com" not in id_only["PORTAL_CSP"]

    secret_file = tmp_path / "wechat-secret"
    secret_file.write_text("a-secret-from-a-file\n", encoding="utf-8")
    both = _settings_in_a_fresh_interpreter(
        tmp_path, WECHAT_APP_ID="wx0123456789abcdef", WECHAT_APP_SECRET_FILE=str(secret_file)
    )
    assert both["WECHAT_SIGN_IN"]
    assert "allauth.socialaccount" in both["INSTALLED_APPS"]
    assert "allauth.socialaccount.providers.weixin" in both["INSTALLED_APPS"]
    assert both["SOCIALACCOUNT_PROVIDERS"]["weixin"]["APPS"] == [
        {"client_id": "wx0123456789abcdef", "secret": "a-secret-from-a-file"}
    ]
    # The sign-in form posts to the portal, which sends the browser on to WeChat's page.
    assert "form-action 'self' https://open.weixin.qq.com;" in both["PORTAL_CSP"]
