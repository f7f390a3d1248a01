"""System checks that protect a deployment's personal data."""

from django.conf import settings
from django.core.checks import Error, register


@register("accounts", deploy=False)
def identity_key_check(app_configs=None, **kwargs):
    """With DEBUG off, the key that encrypts identity numbers must be set and must not be a
    published development value: anyone holding it and a copy of the database could read
    every number. ``manage.py migrate``, ``check`` and ``runserver`` stop on this error."""
    if settings.DEBUG:
        return []
    key = getattr(settings, "PORTAL_IDENTITY_KEY", "")
    if not key:
        problem = "PORTAL_IDENTITY_KEY is not set"
    elif key in getattr(settings, "PORTAL_DEVELOPMENT_SECRETS", ()) or key in (
        settings.SECRET_KEY,
        getattr(settings, "PORTAL_SIGNING_KEY_SECRET", ""),
    ):
        problem = "PORTAL_IDENTITY_KEY is a development value or another secret's"
    else:
        return []
    return [
        Error(
            f"{problem}: with DEBUG off identity numbers need a key of their own.",
            hint=(
                "Set PORTAL_IDENTITY_KEY (or PORTAL_IDENTITY_KEY_FILE) to a long random value "
                "kept outside the repository and apart from SECRET_KEY, e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(50))". Keep it: '
                "without it the recorded numbers cannot be read or matched."
            ),
            id="accounts.E001",
        )
    ]
