import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """The services' refusals are matched in English; pages set their own language."""
    with translation.override("en"):
        yield
