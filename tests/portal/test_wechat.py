"""WeChat sign-in (issue 19, item 5), switched on as it is when WECHAT_APP_ID and
WECHAT_APP_SECRET are configured, against a local stand-in for WeChat's token and userinfo
endpoints (a small HTTP server on 127.0.0.1; nothing goes to the internet).

The flow is driven the way allauth's own provider tests drive it (``OAuth2TestsMixin`` in
allauth/socialaccount/tests, which the installed wheel does not ship): post to the provider's
login view, read ``state`` from the redirect to WeChat, come back to the callback with a code.

A WeChat account links to an existing account only when its holder signs in to that account
(password, and their second factor if they have one); an address typed after WeChat never
connects anything, and no second account is made.
"""

import importlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.test.utils import override_settings
from django.urls import clear_url_caches, reverse

from portal.accounts.demo import totp_current_code
from portal.accounts.models import User
from tests.factories import PASSWORD, UserFactory, password_only_login, sign_in, with_totp

pytestmark = pytest.mark.django_db

APP_ID = "wx-test-app-id"
APP_SECRET = "wx-test-app-secret"  # noqa: S105
WECHAT_AUTHORIZE = "https://open.weixin.qq.com/connect/qrconnect"


# A local WeChat ---------------------------------------------------------------------------------


class StandIn:
    """WeChat's /sns/oauth2/access_token and /sns/userinfo, answering as WeChat does (errors
    are 200 with an ``errcode``). ``codes`` maps an authorisation code to the WeChat user it
    stands for; each code works once, as WeChat's do."""

    def __init__(self):
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []

    def user_scans(self, code: str, openid: str, nickname: str = "wechat-nick") -> str:
        self.codes[code] = {"openid": openid, "nickname": nickname, "unionid": f"u-{openid}"}
        return code

    def answer(self, path: str, query: dict) -> dict:
        self.requests.append((path, query))
        if path == "/sns/oauth2/access_token":
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            person = self.codes.pop(query.get("code", ""), None)
            if query.get("grant_type") != "authorization_code" or person is None:
                return {"errcode": 40029, "errmsg": "invalid code"}
            token = f"token-{person['openid']}-{len(self.requests)}"
            self.tokens[token] = person
            return {
                "access_token": token,
                "expires_in": 7200,
                "refresh_token": "refresh-" + token,
                "openid": person["openid"],
                "scope": "snsapi_login",
                "unionid": person["unionid"],
            }
        if path == "/sns/userinfo":
            person = self.tokens.get(query.get("access_token", ""))
            if person is None or person["openid"] != query.get("openid"):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            return {**person, "sex": 0, "province": "", "city": "", "headimgurl": ""}
        return {"errcode": 404, "errmsg": "no such api"}


@pytest.fixture(scope="module")
def wechat_server():
    stand_in = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.answer("")

        def do_POST(self):  # noqa: N802
            # allauth asks for the token with a form post; WeChat documents a GET.
            length = int(self.headers.get("Content-Length") or 0)
            self.answer(self.rfile.read(length).decode())

        def answer(self, form: str):
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query + "&" + form).items()}
            body = json.dumps(stand_in.answer(url.path, query), ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield stand_in
    server.shutdown()
    server.server_close()


# WeChat sign-in switched on ----------------------------------------------------------------------


def _reload_urls():
    import allauth.urls

    import portal.urls

    importlib.reload(allauth.urls)
    importlib.reload(portal.urls)
    clear_url_caches()
    _reset_template_engines()


def _reset_template_engines():
    """Template engines list the apps' tag libraries when they are made: an engine made
    earlier in the run (by any other test) knows no ``socialaccount`` tags. Drop the engines
    so the next template is rendered by ones made with the apps as they are now."""
    from django.template import engines
    from django.template.loader import engines as loader_engines

    for handler in {id(engines): engines, id(loader_engines): loader_engines}.values():
        handler._engines = {}
        handler.__dict__.pop("templates", None)


SOCIAL_APPS = ["allauth.socialaccount", "allauth.socialaccount.providers.weixin"]


def _install(names):
    """Add apps to the running registry as ``django.setup`` would have with them in
    INSTALLED_APPS. (``override_settings(INSTALLED_APPS=...)`` would rebuild every app and run
    each ``ready()`` again, which Wagtail's apps refuse.)"""
    from django.apps import AppConfig, apps

    configs = [AppConfig.create(name) for name in names]
    for config in configs:
        config.apps = apps
        apps.app_configs[config.label] = config
        config.import_models()
    apps.clear_cache()
    for config in configs:
        config.ready()
    return configs


def _uninstall(configs):
    from django.apps import apps

    for config in configs:
        del apps.app_configs[config.label]
    apps.clear_cache()


@pytest.fixture(scope="module")
def wechat_on(django_db_setup, django_db_blocker, wechat_server):
    """The portal as WECHAT_APP_ID and WECHAT_APP_SECRET make it: allauth's social accounts and
    its weixin provider installed (their tables made, as `migrate` makes them), the app
    configured, the provider's endpoints pointed at the local stand-in."""
    from allauth.socialaccount.providers import registry
    from django.db import connection

    switched_on = override_settings(
        WECHAT_SIGN_IN=True,
        SOCIALACCOUNT_PROVIDERS={
            "weixin": {
                "APPS": [{"client_id": APP_ID, "secret": APP_SECRET}],
                "SCOPE": ["snsapi_login"],
            }
        },
    )
    switched_on.enable()
    registry.loaded = False
    registry.provider_map.clear()
    configs = _install(SOCIAL_APPS)
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from allauth.socialaccount.providers.weixin.views import WeixinOAuth2Adapter

    models = [SocialApp, SocialAccount, SocialToken]
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for model in models:
            editor.create_model(model)
    endpoints = pytest.MonkeyPatch()
    endpoints.setattr(
        WeixinOAuth2Adapter, "access_token_url", f"{wechat_server.url}/sns/oauth2/access_token"
    )
    endpoints.setattr(WeixinOAuth2Adapter, "profile_url", f"{wechat_server.url}/sns/userinfo")
    _reload_urls()
    try:
        yield wechat_server
    finally:
        endpoints.undo()
        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            for model in reversed(models):
                editor.delete_model(model)
        _uninstall(configs)
        switched_on.disable()
        registry.loaded = False
        registry.provider_map.clear()
        _reload_urls()


@pytest.fixture
def wechat(wechat_on):
    wechat_on.codes.clear()
    wechat_on.requests.clear()
    return wechat_on


def linked_accounts(**filters):
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(provider="weixin", **filters)


def start(client: Client, process: str = "login", next_url: str = "") -> str:
    """Press a WeChat button: the portal sends the browser to WeChat's QR page. Returns the
    ``state`` WeChat would hand back."""
    query = {"process": process, **({"next": next_url} if next_url else {})}
    response = client.post(f"{reverse('weixin_login')}?{urlencode(query)}")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == WECHAT_AUTHORIZE
    params = parse_qs(location.query)
    assert params["appid"] == [APP_ID]
    assert params["redirect_uri"][0].endswith(reverse("weixin_callback"))
    assert params["scope"] == ["snsapi_login"]
    return params["state"][0]


def come_back(client: Client, code: str, state: str):
    """WeChat sends the browser back to the portal's callback with a code and the state."""
    return client.get(reverse("weixin_callback"), {"code": code, "state": state})


def wechat_sign_in(client: Client, wechat, openid: str, code: str = "code-1"):
    state = start(client)
    return come_back(client, wechat.user_scans(code, openid), state)


def signed_in_as(client: Client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def link(user, openid: str):
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.create(
        user=user, provider="weixin", uid=openid, extra_data={"openid": openid}
    )


SIGNUP_FIELDS = {
    "real_name": "李 明",
    "province": "44",
    "organisation": "",
    "phone": "",
}


# The sign-in page ---------------------------------------------------------------------------------


def test_sign_in_page_shows_the_wechat_button_posting_with_the_csrf_token(wechat, client):
    text = client.get(reverse("account_login")).content.decode()
    assert "使用微信登录" in text
    assert f'action="{reverse("weixin_login")}?process=login"' in text
    assert text.count('name="csrfmiddlewaretoken"') >= 2  # the password form and WeChat's


def test_starting_a_wechat_sign_in_without_the_csrf_token_is_refused(wechat):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{reverse('weixin_login')}?process=login")
    assert response.status_code == 403
    assert "open.weixin.qq.com" not in response.get("Location", "")


# A WeChat account nobody has linked ---------------------------------------------------------------


def test_unknown_wechat_account_is_offered_sign_in_or_sign_up_and_nothing_is_made(wechat, client):
    UserFactory(email="owner@example.org")
    users_before = User.objects.count()
    response = wechat_sign_in(client, wechat, "openid-new")
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    page = client.get(reverse("socialaccount_signup"))
    text = page.content.decode()
    assert "这个微信账号还没有关联" in text
    connect_url = f"{reverse('weixin_login')}?process=connect"
    assert (
        f"{reverse('account_login')}?next={connect_url.replace('?', '%3F').replace('=', '%3D')}"
        in text
    )
    assert 'name="privacy_consent"' in text and 'name="email"' in text
    assert signed_in_as(client) is None
    assert User.objects.count() == users_before
    assert not linked_accounts().exists()
    # The token endpoint was asked with the portal's app and the code; the secret never
    # reached the browser.
    token_request = dict(wechat.requests)["/sns/oauth2/access_token"]
    assert token_request["appid"] == APP_ID and token_request["code"] == "code-1"
    assert APP_SECRET not in text


def test_typing_an_existing_address_after_wechat_connects_nothing_and_makes_no_account(
    wechat, client
):
    owner = UserFactory(email="owner@example.org")
    users_before = User.objects.count()
    wechat_sign_in(client, wechat, "openid-attacker")
    response = client.post(
        reverse("socialaccount_signup"),
        {"email": "owner@example.org", **SIGNUP_FIELDS, "privacy_consent": "on"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "已有一个账号与此Email地址关联" in text or "already exists" in text
    assert signed_in_as(client) is None
    assert User.objects.count() == users_before
    assert not linked_accounts().exists()
    # Other spellings of the address are the same address.
    response = client.post(
        reverse("socialaccount_signup"),
        {"email": "OWNER@example.org", **SIGNUP_FIELDS, "privacy_consent": "on"},
    )
    assert response.status_code == 200
    assert not linked_accounts().exists()
    assert User.objects.count() == users_before
    owner.refresh_from_db()
    assert owner.has_usable_password()


def test_a_verified_second_address_of_an_account_is_refused_too(wechat, client):
    owner = UserFactory(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email="work@example.org", verified=True)
    wechat_sign_in(client, wechat, "openid-attacker")
    response = client.post(
        reverse("socialaccount_signup"),
        {"email": "work@example.org", **SIGNUP_FIELDS, "privacy_consent": "on"},
    )
    assert response.status_code == 200
    assert not linked_accounts().exists()
    assert signed_in_as(client) is None


def test_signing_in_to_the_existing_account_then_links_wechat_to_it(wechat, client):
    owner = UserFactory(email="owner@example.org")
    users_before = User.objects.count()
    wechat_sign_in(client, wechat, "openid-owner", code="first-scan")
    page = client.get(reverse("socialaccount_signup")).content.decode()
    connect_url = f"{reverse('weixin_login')}?process=connect"
    assert "next=" in page

    # "I already have an account": sign in with the password, then back to WeChat.
    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": PASSWORD, "next": connect_url},
    )
    assert response.status_code == 302 and response["Location"] == connect_url
    confirm = client.get(connect_url)
    assert confirm.status_code == 200
    assert "关联微信" in confirm.content.decode()
    assert not linked_accounts().exists()  # nothing linked before WeChat says who it is
    state = start(client, process="connect")
    response = come_back(client, wechat.user_scans("second-scan", "openid-owner"), state)
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_connections")
    assert list(linked_accounts().values_list("user", "uid")) == [(owner.pk, "openid-owner")]
    assert User.objects.count() == users_before
    text = client.get(reverse("socialaccount_connections")).content.decode()
    assert "已关联的微信账号" in text and "解除微信关联" in text
    # Only WeChat's ids are kept of the profile it sent (nickname, picture, region are not).
    assert linked_accounts().get().extra_data == {
        "openid": "openid-owner",
        "unionid": "u-openid-owner",
    }

    # Next time WeChat alone signs the same person in, into the same account.
    client.post(reverse("account_logout"))
    assert signed_in_as(client) is None
    response = wechat_sign_in(client, wechat, "openid-owner", code="third-scan")
    assert response.status_code == 302
    assert signed_in_as(client) == owner
    assert User.objects.count() == users_before
    assert "nickname" not in linked_accounts().get().extra_data


def test_linking_asks_for_the_second_factor_of_an_account_that_has_one(wechat, client):
    owner = with_totp(UserFactory(email="careful@example.org"))
    wechat_sign_in(client, wechat, "openid-careful")
    connect_url = f"{reverse('weixin_login')}?process=connect"
    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": PASSWORD, "next": connect_url},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None
    # Without the code, WeChat cannot be linked.
    response = client.post(f"{reverse('weixin_login')}?process=connect")
    state = parse_qs(urlsplit(response["Location"]).query).get("state", [""])[0]
    come_back(client, wechat.user_scans("scan-without-code", "openid-careful"), state)
    assert not linked_accounts().exists()
    # With it, the sign-in goes on to the link.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_current_code(owner)})
    assert response.status_code == 302 and response["Location"] == connect_url
    state = start(client, process="connect")
    come_back(client, wechat.user_scans("scan-with-code", "openid-careful"), state)
    assert list(linked_accounts().values_list("user", flat=True)) == [owner.pk]


def test_new_account_through_wechat_needs_the_privacy_consent_and_a_confirmed_address(
    wechat, client, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    wechat_sign_in(client, wechat, "openid-newcomer")
    refused = client.post(
        reverse("socialaccount_signup"), {"email": "newcomer@example.org", **SIGNUP_FIELDS}
    )
    assert refused.status_code == 200
    assert "请阅读个人信息保护说明并勾选此项" in refused.content.decode()
    assert User.objects.count() == users_before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("socialaccount_signup"),
            {"email": "newcomer@example.org", **SIGNUP_FIELDS, "privacy_consent": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    newcomer = User.objects.get(email="newcomer@example.org")
    assert User.objects.count() == users_before + 1
    assert newcomer.real_name == "李 明"
    assert newcomer.privacy_consent_at is not None and newcomer.privacy_notice_version
    assert list(linked_accounts().values_list("user", "uid")) == [(newcomer.pk, "openid-newcomer")]
    assert not EmailAddress.objects.get(user=newcomer).verified
    assert [message.to for message in mail.outbox] == [["newcomer@example.org"]]
    assert signed_in_as(client) is None  # not until the address is confirmed


# Connecting from the account page ---------------------------------------------------------------


def test_signed_in_person_links_wechat_from_the_account_page(wechat, client):
    owner = sign_in(client, UserFactory(email="member@example.org"))
    page = client.get(reverse("socialaccount_connections"))
    text = page.content.decode()
    assert "还没有关联微信账号" in text
    assert f'action="{reverse("weixin_login")}?process=connect"' in text
    assert (
        reverse("socialaccount_connections")
        in client.get(reverse("account_email")).content.decode()
    )
    state = start(client, process="connect")
    come_back(client, wechat.user_scans("scan", "openid-member"), state)
    assert list(linked_accounts().values_list("user", flat=True)) == [owner.pk]


def test_wechat_linked_to_someone_else_is_not_moved_to_another_account(wechat, client):
    first = UserFactory(email="first@example.org")
    link(first, "openid-taken")
    sign_in(client, UserFactory(email="second@example.org"))
    state = start(client, process="connect")
    come_back(client, wechat.user_scans("scan", "openid-taken"), state)
    assert list(linked_accounts().values_list("user", flat=True)) == [first.pk]
    text = client.get(reverse("socialaccount_connections")).content.decode()
    assert "还没有关联微信账号" in text


def test_connecting_needs_a_recent_sign_in(wechat, client):
    """A session left open (no sign-in within allauth's re-authentication window) must give the
    password again before WeChat is linked to it."""
    owner = UserFactory(email="idle@example.org")
    client.force_login(owner)  # a session with no recent sign-in recorded
    state = start(client, process="connect")
    response = come_back(client, wechat.user_scans("scan", "openid-idle"), state)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not linked_accounts().exists()
    wrong = client.post(reverse("account_reauthenticate"), {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert not linked_accounts().exists()
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    assert list(linked_accounts().values_list("user", flat=True)) == [owner.pk]


def test_a_session_older_than_the_window_must_confirm_the_password_again(wechat, client):
    owner = sign_in(client, UserFactory(email="stale@example.org"))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 301  # signed in more than five minutes ago
    session.save()
    state = start(client, process="connect")
    response = come_back(client, wechat.user_scans("scan", "openid-stale"), state)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not linked_accounts(user=owner).exists()


def test_unlinking_needs_the_csrf_token_and_leaves_a_way_in(wechat):
    owner = UserFactory(email="owner@example.org")
    account = link(owner, "openid-owner")
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(owner)
    response = forged.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 403
    assert linked_accounts().exists()

    # An account made through WeChat has no password: its last way in stays.
    wechat_only = UserFactory(email="wechat-only@example.org")
    wechat_only.set_unusable_password()
    wechat_only.save()
    only_link = link(wechat_only, "openid-only")
    client = Client()
    client.force_login(wechat_only)
    response = client.post(reverse("socialaccount_connections"), {"account": only_link.pk})
    assert response.status_code == 200
    assert linked_accounts(user=wechat_only).exists()

    # The owner, signed in with the password, may unlink; someone else's link is not theirs
    # to remove.
    client = Client()
    sign_in(client, owner)
    response = client.post(reverse("socialaccount_connections"), {"account": only_link.pk})
    assert response.status_code == 200
    assert linked_accounts(user=wechat_only).exists()
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 302
    assert not linked_accounts(user=owner).exists()


def test_closing_the_account_removes_its_wechat_link(wechat, client):
    owner = sign_in(client, UserFactory(email="leaving@example.org"))
    link(owner, "openid-leaving")
    response = client.post(reverse("close_account"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not linked_accounts().exists()
    # The same WeChat then signs no one in: it is an unlinked WeChat account again.
    response = wechat_sign_in(Client(), wechat, "openid-leaving")
    assert response["Location"] == reverse("socialaccount_signup")


def test_own_data_export_lists_the_wechat_link(wechat, client):
    import io
    import zipfile

    owner = sign_in(client, UserFactory(email="curious@example.org"))
    link(owner, "openid-curious")
    link(UserFactory(email="other@example.org"), "openid-other")
    response = client.post(reverse("my_data"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("my-data.json"))
    assert [entry["openid"] for entry in data["account"]["wechat"]] == ["openid-curious"]
    assert "openid-other" not in archive.read("my-data.json").decode()


def test_wechat_pages_ask_anonymous_visitors_to_sign_in(wechat, client):
    response = client.get(reverse("socialaccount_connections"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # A sign-up page without a WeChat sign-in behind it sends the visitor to sign in.
    response = client.get(reverse("socialaccount_signup"))
    assert response.status_code == 302
    assert not linked_accounts().exists()


# State and CSRF ------------------------------------------------------------------------------


def test_callback_with_someone_elses_state_is_refused(wechat, client):
    """Login CSRF: an attacker starts a sign-in in their own browser and sends the victim the
    callback address with their own code and state. The victim's browser never started it."""
    attacker = Client()
    attacker_state = start(attacker)
    victim = sign_in(client, UserFactory(email="victim@example.org"))
    response = come_back(
        client, wechat.user_scans("attacker-code", "openid-attacker"), attacker_state
    )
    assert response.status_code == 401
    assert "登录失败" in response.content.decode() or "Login Failure" in response.content.decode()
    assert not linked_accounts().exists()
    assert signed_in_as(client) == victim
    assert "/sns/oauth2/access_token" not in dict(wechat.requests)  # the code was not even used


def test_callback_without_state_or_with_a_used_state_is_refused(wechat, client):
    owner = UserFactory(email="owner@example.org")
    link(owner, "openid-owner")
    response = client.get(
        reverse("weixin_callback"), {"code": wechat.user_scans("c1", "openid-owner")}
    )
    assert response.status_code == 401
    assert signed_in_as(client) is None
    assert "c1" in wechat.codes  # the portal did not even ask WeChat about the code

    state = start(client)
    come_back(client, wechat.user_scans("c2", "openid-owner"), state)
    assert signed_in_as(client) == owner
    response = come_back(client, wechat.user_scans("c3", "openid-owner"), state)  # replayed
    assert response.status_code == 401
    assert "c3" in wechat.codes


def test_a_code_wechat_does_not_accept_signs_no_one_in(wechat, client):
    link(UserFactory(email="owner@example.org"), "openid-owner")
    state = start(client)
    response = come_back(client, "made-up-code", state)
    assert response.status_code == 401
    assert signed_in_as(client) is None


# Staff keep their second factor ----------------------------------------------------------------


def test_staff_member_signing_in_with_wechat_still_gives_the_authenticator_code(wechat, client):
    certifier = with_totp(UserFactory(email="certifier@example.org", roles=["Certifier"]))
    link(certifier, "openid-certifier")
    response = wechat_sign_in(client, wechat, "openid-certifier")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None
    assert client.get(reverse("my_learning"))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_current_code(certifier)})
    assert response.status_code == 302
    assert signed_in_as(client) == certifier
    assert client.get(reverse("my_learning")).status_code == 200


def test_staff_member_without_an_authenticator_is_sent_to_set_one_up_after_wechat(wechat, client):
    faculty = UserFactory(email="faculty@example.org", roles=["Faculty"])
    link(faculty, "openid-faculty")
    wechat_sign_in(client, wechat, "openid-faculty")
    assert signed_in_as(client) == faculty
    for path in (reverse("my_learning"), reverse("socialaccount_connections"), "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path


def test_password_only_staff_session_cannot_reach_the_wechat_pages(wechat, client):
    admin = with_totp(UserFactory(email="admin@example.org", roles=["Administrator"]))
    password_only_login(client, admin)
    response = client.get(reverse("socialaccount_connections"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert signed_in_as(client) is None
