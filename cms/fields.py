"""A model field holding several choices of one TextChoices (or of the ``Level`` rows),
filterable on any database."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEPARATOR = ","


class MultipleChoiceField(models.CharField):
    """Stores a list of choice codes as ``code1,code2`` and hands it back as a list.

    Kept as text so that ``has_choice`` can filter on SQLite and PostgreSQL alike.
    """

    description = _("A list of choices")

    def __init__(self, *args, choices_class=None, **kwargs):
        self.choices_class = choices_class
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_class"] = self.choices_class
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        # Our default for ``blank`` is True, the opposite of Django's.
        if kwargs.pop("blank", False) is False:
            kwargs["blank"] = False
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return list(value)
        return [code for code in str(value).split(SEPARATOR) if code]

    def get_prep_value(self, value):
        codes = self.to_python(value)
        order = choice_codes(self.choices_class) if self.choices_class else []
        codes = sorted(set(codes), key=lambda c: order.index(c) if c in order else len(order))
        return SEPARATOR.join(codes)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        if self.choices_class:
            unknown = set(self.to_python(value)) - set(choice_codes(self.choices_class))
            if unknown:
                raise ValidationError(
                    _("Unknown choice: %(codes)s"), params={"codes": ", ".join(unknown)}
                )
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            # A callable, so that a form built once still offers levels added later.
            "choices": (lambda: choice_list(self.choices_class)) if self.choices_class else [],
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        defaults.pop("max_length", None)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        return form_class(**defaults)


def has_choice(field_name: str, code: str) -> Q:
    """A filter matching rows whose ``MultipleChoiceField`` includes ``code``."""
    return (
        Q(**{field_name: code})
        | Q(**{f"{field_name}__startswith": code + SEPARATOR})
        | Q(**{f"{field_name}__endswith": SEPARATOR + code})
        | Q(**{f"{field_name}__contains": SEPARATOR + code + SEPARATOR})
    )


def choice_codes(choices_class) -> list[str]:
    """The codes of a TextChoices, or of a model offering ``codes()`` (``cms.taxonomy.Level``)."""
    if hasattr(choices_class, "codes"):
        return choices_class.codes()
    return list(choices_class.values)


def choice_list(choices_class) -> list[tuple[str, str]]:
    """(code, label) pairs of a TextChoices, or of a model offering ``as_choices()``."""
    if hasattr(choices_class, "as_choices"):
        return choices_class.as_choices()
    return list(choices_class.choices)


def choice_labels(choices_class, codes) -> list[str]:
    """Labels for stored codes; a code no longer among the choices is shown as it is."""
    labels = dict(choice_list(choices_class))
    return [str(labels.get(code, code)) for code in codes]
