"""The production-like layout of docs/deploy.md, exercised where this machine allows it.

- a Celery worker with RabbitMQ as its broker sends a queued e-mail end to end;
- with ``CELERY_MAIL_QUEUE`` set, e-mail goes to a second worker process on its own queue,
  and other work stays on the default queue's worker;
- the Procfile run by honcho, as ``make serve`` does (gunicorn, worker, mail worker, beat,
  ``DEBUG=false``, plain http), serves ``/healthz``, the home page, a static file with
  far-future cache headers and a base's picture from ``/media/``, and stops every process it
  started.

Every process here is a real subprocess on the test database. Producers are subprocesses too
(``manage.py shell -c``), so the broker and routing come from their environment exactly as in
a deployment. RabbitMQ: ``SERVICES_AMQP_URL`` (default the local server, guest/guest); missing,
it skips loudly, or fails with ``CI=true``. Queue names start with ``serve-test``.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from kombu import Connection

from portal.accounts.models import OutgoingMail
from tests.requirements import missing
from tests.services.certification_support import database_url

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AMQP_URL = os.environ.get("SERVICES_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
QUEUE, MAIL_QUEUE, AMQP_QUEUE = "serve-test", "serve-test-mail", "serve-test-amqp"


# -- helpers -----------------------------------------------------------------------------------


def _env(**extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_MAIL_QUEUE", None)
    env.update(extra)
    return env


def _purge(broker: str, *queues: str) -> None:
    """Empty our own queues (declaring them if new); nobody else's."""
    with Connection(broker, connect_timeout=5) as connection:
        for name in queues:
            queue = connection.SimpleQueue(name)
            queue.clear()
            queue.close()


def _django(env: dict, code: str) -> str:
    """Run ``code`` in a fresh Django process with ``env``; its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Process:
    """A subprocess in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.log()):
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: no {pattern!r}:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the process alone (honcho passes it on); then nothing may be left."""
        leftovers = _descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        for pid in [self.process.pid, *leftovers]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # only our own groups: each was a session leader
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def processes(tmp_path):
    started: list[Process] = []

    class Starter:
        def start(self, name, args, env) -> Process:
            process = Process(name, args, env, tmp_path / f"{name}.log")
            started.append(process)
            return process

        def worker(self, name, queue, env) -> Process:
            worker = self.start(
                name,
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"{name}-{os.getpid()}@%h",
                    "-Q",
                    queue,
                ],
                env,
            )
            worker.wait_for(r" ready\.")
            return worker

    yield Starter()
    for process in reversed(started):
        process.stop()
    for process in started:
        print(f"---- {process.name} ----\n{process.log()[-4000:]}")


def _mail_sent(pk: int, timeout: float = 60) -> OutgoingMail:
    deadline = time.monotonic() + timeout
    message = OutgoingMail.objects.get(pk=pk)
    while message.status == OutgoingMail.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        message.refresh_from_db()
    return message


QUEUE_A_MAIL = """
from django.conf import settings
from django.db import transaction
from portal.accounts.mail import mail_queue
with transaction.atomic():
    message = mail_queue(to="trainee@example.org", subject="{subject}", body_text="正文")
print(settings.CELERY_BROKER_URL.split(":")[0], message.pk)
"""


def _rabbitmq_required() -> None:
    parsed = urlparse(AMQP_URL)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), 3).close()
    except OSError:
        message = f"RabbitMQ is not reachable at {parsed.hostname}:{parsed.port or 5672}"
        print(f"\n{'!' * 80}\nSKIPPING: {message} (set SERVICES_AMQP_URL)\n{'!' * 80}")
        missing(message)


# -- RabbitMQ as the broker --------------------------------------------------------------------


def test_a_worker_on_rabbitmq_sends_a_queued_mail(tmp_path, processes):
    _rabbitmq_required()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = _env(
        CELERY_BROKER_URL=AMQP_URL,
        CELERY_TASK_DEFAULT_QUEUE=AMQP_QUEUE,
        EMAIL_URL=f"filemail:///{mail_dir}",
    )
    _purge(AMQP_URL, AMQP_QUEUE)
    worker = processes.worker("amqp", AMQP_QUEUE, env)
    assert "Connected to amqp://guest:**@" in worker.log()

    scheme, pk = _django(env, QUEUE_A_MAIL.format(subject="经 RabbitMQ 发送")).split()[-2:]

    assert scheme == "amqp"
    message = _mail_sent(int(pk))
    assert message.status == OutgoingMail.Status.SENT, worker.log()[-3000:]
    assert message.attempts == 1
    assert len(list(mail_dir.iterdir())) == 1
    assert re.search(r"outgoing_mail_send\[[^]]+\] succeeded", worker.log())


# -- a second worker on its own queue ----------------------------------------------------------


def test_mail_is_routed_to_a_worker_of_its_own(tmp_path, processes):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = _env(CELERY_MAIL_QUEUE=MAIL_QUEUE, EMAIL_URL=f"filemail:///{mail_dir}")
    broker = env["CELERY_BROKER_URL"]
    _purge(broker, QUEUE, MAIL_QUEUE)
    default = processes.worker("default", QUEUE, env)
    mailer = processes.worker("mailer", MAIL_QUEUE, env)

    out = _django(
        env,
        QUEUE_A_MAIL.format(subject="邮件队列")
        + "from courses.tasks import exam_attempts_submit_overdue\n"
        + "exam_attempts_submit_overdue.delay()\n",
    )
    pk = int(out.split()[-1])

    assert _mail_sent(pk).status == OutgoingMail.Status.SENT, mailer.log()[-3000:]
    default.wait_for(r"exam_attempts_submit_overdue\[[^]]+\] succeeded")
    assert re.search(r"outgoing_mail_send\[[^]]+\] succeeded", mailer.log())
    assert "outgoing_mail_send[" not in default.log()  # "[task id]": not the banner's list
    assert "exam_attempts_submit_overdue[" not in mailer.log()
    assert len(list(mail_dir.iterdir())) == 1


# -- the Procfile, as `make serve` runs it -----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _base_picture():
    """A training base's picture in the CMS (in MEDIA_ROOT, the per-test folder the server is
    given too), a rendition of it, and the base's page, which shows it as its logo."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image
    from wagtail.images.models import Image as WagtailImage

    out = io.BytesIO()
    Image.new("RGB", (160, 120), (30, 120, 60)).save(out, "JPEG")
    picture = WagtailImage.objects.create(
        title="基地照片", file=ContentFile(out.getvalue(), name="base.jpg")
    )
    from tests import factories

    base = factories.training_base("GD-S")
    base.logo = picture
    base.save()
    return picture, picture.get_rendition("fill-80x60|format-jpeg"), urlparse(base.get_url()).path


def _pictures_painted(url: str) -> int:
    """How many of the page's /media/ pictures Debian's Chromium loaded and decoded."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url, wait_until="load")
            return page.evaluate(
                """() => [...document.images].filter(
                    (image) => image.src.includes("/media/") && image.complete
                        && image.naturalWidth > 0).length"""
            )
        finally:
            browser.close()


def test_the_procfile_serves_pages_with_debug_off(tmp_path, processes):
    env = _env(
        DEBUG="false",
        SECRET_KEY="serve-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CELERY_MAIL_QUEUE=MAIL_QUEUE,
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "celerybeat-schedule"),
        WEB_CONCURRENCY="2",
        EMAIL_URL="dummymail://",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    _purge(env["CELERY_BROKER_URL"], QUEUE, MAIL_QUEUE)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    picture, rendition, base_page = _base_picture()
    port = _free_port()
    honcho = processes.start(
        "honcho", [str(BIN / "honcho"), "start", "-p", str(port), "-f", "Procfile"], env
    )

    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError):
            if _get(port, "/healthz")[0] == 200:
                break
        assert time.monotonic() < deadline, honcho.log()[-4000:]
        assert honcho.process.poll() is None, honcho.log()[-4000:]
        time.sleep(0.2)
    for process in ("worker", "mailer"):
        honcho.wait_for(rf"{process}\.1 +\| .* ready\.")
    honcho.wait_for(r"beat\.1 +\| .*beat: Starting")

    status, headers, body = _get(port, "/healthz")
    assert (status, body) == (200, b"ok")
    assert "no-cache" in headers["cache-control"]
    assert "set-cookie" not in headers

    status, headers, body = _get(port, "/")
    assert status == 200, body[:2000]
    page = body.decode()
    assert "Traceback" not in page
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "no hashed (manifest) stylesheet link on the home page"

    status, headers, body = _get(port, stylesheet.group(1))
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert headers.get("content-encoding") == "gzip"  # compressed by collectstatic
    max_age = int(re.search(r"max-age=(\d+)", headers["cache-control"]).group(1))
    assert max_age >= 365 * 24 * 3600 and "immutable" in headers["cache-control"]

    # A base's picture (its original and a rendition) is served with DEBUG off: the portal's
    # media view, since no web server fronts it here.
    status, headers, body = _get(port, base_page)
    assert status == 200, body[:2000]
    logo = re.search(r'<img[^>]+src="(/media/images/[^"]+)"', body.decode())
    assert logo, "the base's page shows no picture from /media/"
    for url in (logo.group(1), rendition.url, picture.file.url):
        status, headers, body = _get(port, url)
        assert status == 200, (url, body[:500])
        assert headers["content-type"] == "image/jpeg"
        assert headers["x-content-type-options"] == "nosniff"
        assert body.startswith(b"\xff\xd8")
    # And a person's browser shows it: Chromium loads the base's page and paints the picture.
    assert _pictures_painted(f"http://127.0.0.1:{port}{base_page}") >= 1

    children = _descendants(honcho.process.pid)
    assert len(children) >= 4  # web (master and workers), worker, mailer, beat
    honcho.process.send_signal(signal.SIGTERM)
    assert honcho.process.wait(40) is not None
    # honcho has stopped its children; their own children may take a moment longer to go.
    deadline = time.monotonic() + 10
    while (alive := [pid for pid in children if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive, honcho.log()[-3000:]
    assert "web.1 stopped" in honcho.log() and "beat.1 stopped" in honcho.log()


# -- the rate limit on Redis -------------------------------------------------------------------


def test_the_rate_limit_counts_in_redis(rf):
    from django.core.cache import caches

    from portal.accounts.ratelimit import allow

    backend = caches["default"]
    assert type(backend).__name__ == "RedisCache"
    request = rf.get("/verify/x/", REMOTE_ADDR="127.0.0.9")
    while True:  # again if a minute's window ended in the middle
        window = int(time.time() // 60)
        scope = f"serve-test-{os.getpid()}-{time.monotonic_ns()}"
        counted = [allow(request, scope=scope, limit=3) for _ in range(5)]
        if int(time.time() // 60) == window:
            break
    assert counted == [True] * 3 + [False] * 2
    key = backend.make_and_validate_key(f"ratelimit:{scope}:127.0.0.9:{window}")
    client = backend._cache.get_client(key)
    assert int(client.get(key)) == 5
    assert 0 < client.ttl(key) <= 61
