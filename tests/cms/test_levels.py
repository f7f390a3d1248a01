"""Levels are data: the three seeded codes, labels in both languages, the next level within a
track, and the fields that store level codes (textbooks, faculty) offering a level added later."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cms.models import TextbookPage
from cms.selectors import textbooks_filtered
from cms.taxonomy import Level
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar():
    return Level.objects.create(
        code="registrar_national",
        name="国家技术合同认定登记员",
        name_en="National Technology-Contract Registrar",
        track="技术合同认定登记员",
        rank=1,
        sort_order=10,
    )


def test_the_three_codes_the_enum_had_are_seeded_in_order():
    assert Level.codes()[:3] == ["junior_broker", "intermediate_broker", "senior_manager"]
    with translation.override("zh-hans"):
        assert Level.labels()["senior_manager"] == "高级技术经理人"
    with translation.override("en"):
        assert Level.labels()["senior_manager"] == "Senior Technology Manager"


def test_the_next_level_stays_in_its_track(registrar):
    junior = Level.objects.get(code="junior_broker")
    senior = Level.objects.get(code="senior_manager")
    assert junior.next_in_track().code == "intermediate_broker"
    assert senior.next_in_track() is None  # not the registrar, though it is listed after
    assert registrar.next_in_track() is None


def test_a_textbook_can_be_of_a_level_added_later_and_is_found_by_it(registrar):
    base = factories.training_base("GD-A", "44")
    form_field = TextbookPage._meta.get_field("levels").formfield()
    assert ("registrar_national", "国家技术合同认定登记员") in list(form_field.choices)
    book = factories.textbook(base, title="技术合同认定实务", levels=["registrar_national"])
    factories.textbook(base, title="实务教程")
    assert [b.title for b in textbooks_filtered(root=base, level="registrar_national")] == [
        "技术合同认定实务"
    ]
    with translation.override("zh-hans"):
        assert book.get_level_labels() == ["国家技术合同认定登记员"]


def test_a_textbook_of_an_unknown_level_is_refused():
    field = TextbookPage._meta.get_field("levels")
    with pytest.raises(ValidationError):
        field.validate(["no_such_level"], None)
