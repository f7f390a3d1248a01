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
