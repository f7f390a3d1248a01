from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User
from .names import name_clean, text_clean
from .provinces import Province
from .validators import validate_photo


class PhotoField(forms.ImageField):
    """Checks size and pixel count before Django's own decoding, so each refusal says why."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_photo(data)
        return super().to_python(data)


# The version of the privacy notice (/privacy/) a sign-up agrees to; change it with the notice.
PRIVACY_NOTICE_VERSION = "2026-12"


class SignupProfileForm(forms.Form):
    """The fields a sign-up asks for besides e-mail and password."""

    real_name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        help_text=_("Exactly as it must be printed on your certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    province = forms.ChoiceField(label=_("Province"), choices=[("", "—")] + Province.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        validators=User._meta.get_field("phone").validators,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice"),
        required=True,
        error_messages={"required": _("Please read the privacy notice and tick the box.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.urls import reverse
        from django.utils.html import format_html

        self.fields["privacy_consent"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("privacy"),
            _("Read the privacy notice"),
        )

    # The one rule for names and public text (portal/accounts/names.py).

    def clean_real_name(self):
        name = name_clean(self.cleaned_data["real_name"])
        if not name:
            raise forms.ValidationError(_("Enter your real name."))
        return name

    def clean_organisation(self):
        return text_clean(self.cleaned_data["organisation"])

    def signup(self, request, user):
        user.real_name = self.cleaned_data["real_name"]
        user.province = self.cleaned_data["province"]
        user.organisation = self.cleaned_data["organisation"]
        user.phone = self.cleaned_data["phone"]
        if self.cleaned_data.get("privacy_consent"):
            from django.utils import timezone

            user.privacy_consent_at = timezone.now()
            user.privacy_notice_version = PRIVACY_NOTICE_VERSION
        user.save()


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves."""

    class Meta:
        model = User
        fields = ["real_name", "phone", "province", "organisation", "photo"]
        field_classes = {"photo": PhotoField}
        widgets = {
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        }

    # The one rule for names and public text (portal/accounts/names.py); the model's
    # validators apply the same rule to any other model form.

    def clean_real_name(self):
        name = name_clean(self.cleaned_data["real_name"])
        if not name:
            raise forms.ValidationError(_("Enter your real name."))
        return name

    def clean_organisation(self):
        return text_clean(self.cleaned_data["organisation"])
