"""With DEBUG off the portal refuses to start while the secret that encrypts the certifying
bodies' signing keys is missing or a published development value; it never falls back to
SECRET_KEY then. ``make serve`` makes one of its own, once."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from certification.checks import signing_key_secret_check
from portal.serve import secret_key

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEY = "insecure-local-development-key-do-not-use-in-production"


def _errors(settings, **values):
    for name, value in values.items():
        setattr(settings, name, value)
    return [problem.id for problem in signing_key_secret_check()]


def test_debug_off_with_no_secret_or_the_development_one_is_an_error(settings):
    assert _errors(settings, DEBUG=False, PORTAL_SIGNING_KEY_SECRET="") == ["certification.E002"]
    assert _errors(settings, DEBUG=False, PORTAL_SIGNING_KEY_SECRET=DEVELOPMENT_KEY) == [
        "certification.E002"
    ]
    assert _errors(settings, DEBUG=False, PORTAL_SIGNING_KEY_SECRET="r4nd0m-" * 8) == []
    # In development the fallback (the development key) is fine.
    assert _errors(settings, DEBUG=True, PORTAL_SIGNING_KEY_SECRET=DEVELOPMENT_KEY) == []


@pytest.mark.django_db
def test_manage_py_check_stops_on_it(settings):
    settings.DEBUG = False
    settings.PORTAL_SIGNING_KEY_SECRET = ""
    with pytest.raises(SystemCheckError, match="PORTAL_SIGNING_KEY_SECRET"):
        call_command("check", tags=["certification"])


def _run(code_or_args, **env):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_production_refuses_to_start_without_the_signing_secret(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    # Not set: no fallback to SECRET_KEY, and `manage.py migrate` (what `make serve` runs
    # first) stops with the error.
    settings = _run(
        "import portal.settings as s; print(repr(s.PORTAL_SIGNING_KEY_SECRET))", **production
    )
    assert settings.stdout.strip() == "''", settings.stderr
    refused = _run(["manage.py", "migrate", "--noinput"], **production)
    assert refused.returncode != 0
    assert "certification.E002" in refused.stderr
    assert "PORTAL_SIGNING_KEY_SECRET is not set" in refused.stderr
    # The development key is refused as the signing secret too.
    refused = _run(["manage.py", "check"], **production, PORTAL_SIGNING_KEY_SECRET=DEVELOPMENT_KEY)
    assert refused.returncode != 0
    assert "published development value" in refused.stderr


def test_make_serve_makes_a_signing_secret_of_its_own_once(tmp_path):
    serve = tmp_path / "serve"
    signing = secret_key(serve / "signing_key_secret", first_from=serve / "secret_key")
    key = secret_key(serve / "secret_key")
    assert signing != key and len(signing) > 40
    assert secret_key(serve / "signing_key_secret", first_from=serve / "secret_key") == signing
    assert (serve / "signing_key_secret").stat().st_mode & 0o777 == 0o600


def test_an_older_serve_folder_keeps_the_secret_its_keys_were_sealed_with(tmp_path):
    serve = tmp_path / "serve"
    key = secret_key(serve / "secret_key")  # made by `make serve` before the signing secret
    assert secret_key(serve / "signing_key_secret", first_from=serve / "secret_key") == key


def test_the_makefile_gives_make_serve_the_signing_secret():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") : makefile.index("\ncheck:")]
    assert "export PORTAL_SIGNING_KEY_SECRET=" in serve
    assert serve.index("PORTAL_SIGNING_KEY_SECRET") < serve.index("manage.py migrate")
