"""Forms for the public registry: the holder's profile, and the public search. They only parse
input; who may join is decided in ``registry/services.py``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.levels.display import localized_name
from certification.levels.models import CertificationLevel
from certification.registry.models import RegistryListing, specialties_split
from portal.accounts.names import text_clean
from portal.accounts.provinces import Province

MAX_SPECIALTIES = 10
MAX_SPECIALTY_LENGTH = 30


class RegistryProfileForm(forms.ModelForm):
    class Meta:
        model = RegistryListing
        fields = ["organisation", "specialties", "public_contact", "show_filing"]

    # Public text: no invisible, control or direction characters (portal/accounts/names.py).
    # The service applies the same rule to any other caller.

    def clean_organisation(self):
        return text_clean(self.cleaned_data["organisation"])

    def clean_public_contact(self):
        return text_clean(self.cleaned_data["public_contact"])

    def clean_specialties(self):
        items = specialties_split(text_clean(self.cleaned_data["specialties"]))
        if len(items) > MAX_SPECIALTIES:
            raise forms.ValidationError(
                _("Name at most %(count)d specialties.") % {"count": MAX_SPECIALTIES}
            )
        if any(len(item) > MAX_SPECIALTY_LENGTH for item in items):
            raise forms.ValidationError(
                _("Keep each specialty to %(length)d characters or fewer.")
                % {"length": MAX_SPECIALTY_LENGTH}
            )
        return "、".join(items)


class RegistrySearchForm(forms.Form):
    """Every filter is optional; one that does not parse is reported and left out."""

    name = forms.CharField(label=_("Name or organisation"), required=False, max_length=60)
    province = forms.ChoiceField(label=_("Province"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    specialty = forms.CharField(label=_("Specialty"), required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {level.code: level for level in CertificationLevel.objects.all()}
        self.fields["province"].choices = [("", _("All provinces")), *Province.choices]
        self.fields["level"].choices = [
            ("", _("All levels")),
            *((code, localized_name(level)) for code, level in self.levels.items()),
        ]

    def clean_level(self):
        code = self.cleaned_data["level"]
        return self.levels.get(code) if code else None
