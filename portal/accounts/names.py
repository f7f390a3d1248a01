"""The one rule for names and short public text, for every app (``portal.accounts`` is the floor
every layer may import).

A name is printed on certificates, shown in the public registry and written into spreadsheets
and the API. So wherever one is typed (sign-up, profile, the name to print on an application,
the registry, a roster import) it is:

- put in Unicode NFC form, so two names that look the same are the same string;
- stripped of whitespace at both ends, with each run of whitespace inside (any Unicode space,
  a tab, a line break, a line or paragraph separator) made one ordinary space;
- refused when it holds any invisible, control or direction character: the C0 and C1 controls
  (tabs and line breaks included, category Cc), format characters (Cf: zero-width space and
  joiners U+200B–U+200F, direction embeddings and overrides U+202A–U+202E, U+2060–U+206F,
  the byte-order mark U+FEFF, tags), private-use and surrogate code points (Co, Cs: no font
  on a certificate draws them), line and paragraph separators (Zl, Zp), and the letters fonts
  draw as empty space (Hangul fillers, the blank Braille pattern);
- refused unless it holds at least one letter.

The Chinese middle dot of transliterated names (U+00B7 "·", and the variants people type:
U+30FB, U+FF65, U+2027, U+2022, U+FF0E) is ordinary punctuation and stays valid.

Other short public text (an organisation, a registry specialty or contact) follows the same
rule except that it need not hold a letter: see :func:`text_clean`.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Unicode categories never allowed in a name or short public text.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})

# Named explicitly as well, whatever the Unicode version's categories say (U+2065 is
# unassigned, for instance): zero-width and direction marks, embeddings and overrides,
# invisible operators and isolates, the byte-order mark.
REFUSED_RANGES = (
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0xFEFF, 0xFEFF),
)

# Letters that fonts draw as empty space: the Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def refused_characters(value: str) -> list[str]:
    """The characters of ``value`` a name or public text may not hold, in order, once each."""
    found = []
    for character in value:
        point = ord(character)
        if (
            unicodedata.category(character) in REFUSED_CATEGORIES
            or character in BLANK_LETTERS
            or any(low <= point <= high for low, high in REFUSED_RANGES)
        ) and character not in found:
            found.append(character)
    return found


def normalise(value: str) -> str:
    """``value`` in NFC, each run of whitespace (ordinary, no-break and ideographic spaces,
    tabs, line breaks, line and paragraph separators) made one ordinary space, none at either
    end. So a name pasted from a spreadsheet cell with a trailing line break is simply tidied;
    the characters that remain are then checked by :func:`refused_characters`."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _describe(characters: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in characters[:5])


def _refuse_invisible(refused: list[str]) -> None:
    if refused:
        raise ValidationError(
            _(
                "This text holds invisible or control characters (%(characters)s: a zero-width "
                "space, a direction override, a line break or the like). Type it again without "
                "them."
            )
            % {"characters": _describe(refused)},
            code="control_characters",
        )


def text_clean(value: str) -> str:
    """``value`` normalised; ValidationError (code ``control_characters``) when it holds an
    invisible, control or direction character."""
    value = normalise(value)
    _refuse_invisible(refused_characters(value))
    return value


def name_clean(value: str) -> str:
    """The name as it is to be kept and printed, or ValidationError saying why not.

    An empty value is returned empty: whether a name is required is the caller's business.
    """
    value = normalise(value)
    if not value:
        return value
    refused = refused_characters(value)
    if not any(unicodedata.category(c).startswith("L") and c not in refused for c in value):
        raise ValidationError(
            _("Enter a name with at least one visible character (a letter)."),
            code="invisible",
        )
    _refuse_invisible(refused)
    return value


def validate_name(value: str) -> None:
    """Validator form of :func:`name_clean` (for model fields and form fields)."""
    if value:
        name_clean(value)


def validate_text(value: str) -> None:
    """Validator form of :func:`text_clean`."""
    if value:
        text_clean(value)


class NameField(forms.CharField):
    """A form field for a person's name: normalised, then held to the rule above."""

    def to_python(self, value):
        return normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        validate_name(value)


class PublicTextField(forms.CharField):
    """A form field for short public text (organisation, specialty, contact)."""

    def to_python(self, value):
        return normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        validate_text(value)
