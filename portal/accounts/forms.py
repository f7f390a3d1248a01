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
PRIVACY_NOTICE_VERSION = "2026-12.2"


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


class IdentityForm(forms.Form):
    """Record or change one's identity document; the account's password confirms it is the
    holder who does it."""

    document_kind = forms.ChoiceField(label=_("Document kind"), choices=[])
    number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Shown masked once saved; nobody can read it back in full here."),
    )
    document_image = PhotoField(
        label=_("Picture of the document"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB. Kept private; stored without its metadata."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Changing your real-name details needs your password."),
    )

    def __init__(self, *args, user, has_document: bool, **kwargs):
        from .models import DocumentKind

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["document_kind"].choices = DocumentKind.choices
        self.fields["document_image"].required = not has_document
        self.fields["document_image"].widget.is_required = not has_document

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise forms.ValidationError(_("Set a password for your account first."))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password

    def clean(self):
        from .identity import validate_document_number

        cleaned = super().clean()
        kind, number = cleaned.get("document_kind"), cleaned.get("number")
        if kind and number:
            try:
                cleaned["number"] = validate_document_number(kind, number)
            except forms.ValidationError as error:
                self.add_error("number", error)
        return cleaned


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("A mainland mobile number; we send it a 6-digit code."),
    )

    def clean_phone(self):
        from .phone import validate_mainland_phone

        return validate_mainland_phone(self.cleaned_data["phone"])


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}
        ),
    )
