"""Shared fixtures.

Tests that need real transactions (``django_db(transaction=True)``: live servers, on_commit
work) flush the database when they end, and only restore the migrations' data (roles, the
home page, levels) when the next such test begins (``serialized_rollback=True``, which every
one of them sets). pytest-django runs them after the ordinary database tests in one process, but
pytest-xdist's workers do not keep that order: an ordinary test after a transactional one in
the same worker would find an empty database. So every such test is marked ``transactional``
here, and ``make test-fast`` runs the two kinds as two pytest runs (``-m "not transactional"``,
then ``-m transactional``), each spread over the cores.
"""

import pytest

TRANSACTIONAL_FIXTURES = {"live_server", "transactional_db", "django_db_serialized_rollback"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (marker and marker.kwargs.get("transaction")) or TRANSACTIONAL_FIXTURES & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a fresh folder for every test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Each test starts with empty rate-limit counts (sign-in allows 30 a minute per address,
    and the suite signs in far more often). Only the in-process cache of the embedded default
    is cleared: the services suite's Redis database also carries the Celery queue."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


@pytest.fixture
def no_entry_rules():
    """Courses as it works when no layer above refuses anyone an exam (``courses.signals``:
    "courses works unchanged if nobody does"): the receivers of ``exam_entry_refusal`` (such
    as certification's "training hours not held") are taken away for the test and put back
    after it. Tests of the refusal itself connect their own receivers."""
    from courses import signals

    signal = signals.exam_entry_refusal
    with signal.lock:
        saved = list(signal.receivers)
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    yield
    with signal.lock:
        signal.receivers = saved
        signal.sender_receivers_cache.clear()


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """``client.force_login(user)`` stands for a complete sign-in: for a staff role, one that
    included the second factor, with an authenticator the person is given if they have none
    (portal.accounts.middleware refuses staff sessions without it almost everywhere). Tests of
    the second factor itself make a password-only session with
    ``tests.factories.password_only_login``."""
    from django.test import Client

    from portal.accounts.middleware import user_has_totp, user_needs_mfa
    from tests.factories import with_totp

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user_needs_mfa(user):
            if not user_has_totp(user):
                with_totp(user)  # staff who sign in with a second factor have one
            mark_second_factor_used(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def mark_second_factor_used(client, user):
    """Record in the client's session that its sign-in included the second factor, as
    allauth records it after a correct code."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_survive_the_live_server(django_db_setup):
    """Keep serialized rollback working across live-server tests on in-memory SQLite.

    pytest-django's live server swaps the main thread's connection object during a test, and
    the swapped object lacks ``_test_serialized_contents``: the restore before the next
    transactional test then finds nothing, and it runs on an empty database (no home page, no
    roles, no levels). Holding the snapshot on the connection class makes every connection
    object see it.
    """
    from django.db import connections

    wrapper = connections["default"]
    contents = getattr(wrapper, "_test_serialized_contents", None)
    if contents is not None:
        type(wrapper)._test_serialized_contents = contents
