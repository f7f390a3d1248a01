import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a fresh folder for every test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Each test starts with empty rate-limit counts (sign-in allows 30 a minute per address,
    and the suite signs in far more often). Only the in-process cache of the embedded default
    is cleared: the services suite's Redis database also carries the Celery queue."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
