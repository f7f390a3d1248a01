"""What `make serve` and docs/deploy.md rely on in the settings, ``/healthz`` and the
helpers of ``portal.serve``. The running processes are tested in tests/services/test_serve.py.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from portal.serve import secret_key

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
from portal.celery import app
router = app.amqp.router
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "file_overwrite": getattr(default_storage, "file_overwrite", None),
    "url": default_storage.url("certificates/GD-J-2026-000001.pdf")
    if hasattr(default_storage, "bucket_name") else None,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "mail_queue": router.route({}, "portal.accounts.tasks.outgoing_mail_send")["queue"].name,
    "mail_many_queue": router.route(
        {}, "portal.accounts.tasks.outgoing_mail_send_many")["queue"].name,
    "sweep_queue": router.route(
        {}, "portal.accounts.tasks.outgoing_mail_resend_stale")["queue"].name,
}))
"""


def _probe(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CELERY_"))}
    clean.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_for_plain_http_s3_media_and_a_mail_queue():
    facts = _probe(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="test-access-key",
        AWS_SECRET_ACCESS_KEY="test-secret-key",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/11",
        CELERY_TASK_DEFAULT_QUEUE="serve-probe",
        CELERY_MAIL_QUEUE="serve-probe-mail",
    )
    assert facts["storage"] == "storages.backends.s3.S3Storage"
    assert facts["bucket"] == "portal-media"
    assert facts["endpoint"] == "http://127.0.0.1:9000"
    assert facts["file_overwrite"] is False  # like FileSystemStorage: never replace a file
    # A private object: a short-lived signed URL, made locally (no request to the endpoint).
    assert facts["url"].startswith(
        "http://127.0.0.1:9000/portal-media/certificates/GD-J-2026-000001.pdf?"
    )
    assert "X-Amz-Signature=" in facts["url"] and "X-Amz-Expires=300" in facts["url"]
    assert (facts["session_secure"], facts["csrf_secure"], facts["ssl_redirect"]) == (
        False,
        False,
        False,
    )
    assert facts["mail_queue"] == facts["mail_many_queue"] == "serve-probe-mail"
    assert facts["sweep_queue"] == "serve-probe"  # the sweep runs anywhere; it queues sends


def test_production_defaults_keep_cookies_secure_media_on_disk_and_one_queue():
    facts = _probe(DEBUG="false", SECRET_KEY="x" * 60, CELERY_TASK_DEFAULT_QUEUE="serve-probe")
    assert facts["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert (facts["session_secure"], facts["csrf_secure"], facts["ssl_redirect"]) == (
        True,
        True,
        True,
    )
    assert facts["mail_queue"] == facts["sweep_queue"] == "serve-probe"


def test_an_unknown_media_storage_is_refused():
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "MEDIA_STORAGE": "ftp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "MEDIA_STORAGE must be" in done.stderr


def test_healthz_answers_without_database_session_or_cookies(client):
    response = client.get("/healthz")  # no django_db mark: a query would raise
    assert response.status_code == 200
    assert response.content == b"ok"
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_the_serve_secret_key_is_made_once_and_private(tmp_path):
    path = tmp_path / "serve" / "secret_key"
    first = secret_key(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(path) == first
