import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a fresh folder for every test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
