"""What a test needs from the machine: outside CI a missing tool skips loudly, in CI it fails."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(message: str):
    """Skip the test (fail it under CI=true) because ``message`` names something absent."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
