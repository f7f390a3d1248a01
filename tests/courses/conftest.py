import pytest


@pytest.fixture(autouse=True)
def _courses_alone(no_entry_rules):
    """The tests of courses sit exams without the training hours a certification level asks
    for; that rule belongs to certification and is tested there (see ``no_entry_rules``)."""
