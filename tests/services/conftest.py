"""The services suite runs against real PostgreSQL, Redis and Celery worker processes.

`make test` points DATABASE_URL and CELERY_BROKER_URL at the local servers. Outside CI a
missing service skips this suite with a loud message; with CI=true it fails the run.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.requirements import in_ci
from tests.services.certification_support import Worker, purge_queue


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def _problems() -> list[str]:
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    elif not _reachable(os.environ.get("DATABASE_URL", ""), 5432):
        problems.append("PostgreSQL is not reachable")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        problems.append("CELERY_BROKER_URL does not point at Redis")
    elif not _reachable(broker, 6379):
        problems.append("Redis is not reachable")
    return problems


def pytest_collection_modifyitems(config, items):
    problems = _problems()
    if not problems:
        return
    message = "services suite cannot run: " + "; ".join(problems) + " (run it with `make test`)"
    if in_ci():
        pytest.exit(message, returncode=1)
    config.issue_config_time_warning(pytest.PytestWarning(message), stacklevel=2)
    print(f"\n{'!' * 80}\nSKIPPING: {message}\n{'!' * 80}")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture
def workers(tmp_path):
    """Start workers with ``workers.start(...)``; all are stopped and their logs printed."""
    started: list[Worker] = []
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    purge_queue()

    class Starter:
        mail = mail_dir

        @property
        def started(self) -> list[Worker]:
            return started

        def start(self, pool="solo", concurrency=1, ready=True) -> Worker:
            worker = Worker(
                name=f"w{len(started) + 1}-{os.getpid()}",
                log_path=tmp_path / f"worker{len(started) + 1}.log",
                media_root=settings.MEDIA_ROOT,
                mail_dir=mail_dir,
                pool=pool,
                concurrency=concurrency,
            )
            started.append(worker)
            return worker.wait_ready() if ready else worker

    yield Starter()
    for worker in started:
        worker.stop()
    for worker in started:
        print(f"---- {worker.name} ----\n{worker.log()[-4000:]}")
    purge_queue()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in Redis per client address and minute, and every test here
    calls from 127.0.0.1: one test's requests must not count against the next one's."""
    from django.core.cache import cache

    client = cache._cache.get_client(None, write=True)
    for key in client.scan_iter(match="*ratelimit:*"):
        client.delete(key)
    yield
