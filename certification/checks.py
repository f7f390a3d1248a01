"""System checks: a body that awards levels must be able to sign what it awards."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError


@register("certification", deploy=False)
def signing_keys_check(app_configs=None, **kwargs):
    """In production a body that issues with no usable key is an error; in development, a
    warning (the demo creates keys when it seeds)."""
    from certification.credentials.keys import key_problem
    from certification.levels.models import CertifyingBody

    try:
        bodies = list(
            CertifyingBody.objects.filter(is_active=True, levels__isnull=False).distinct()
        )
    except DatabaseError:  # tables not created yet (before the first migrate)
        return []
    kind = Warning if settings.DEBUG else Error
    problems = []
    for body in bodies:
        problem = key_problem(body)
        if problem:
            problems.append(
                kind(
                    f"Certifying body {body.code} awards levels but cannot sign: {problem}.",
                    hint=f"Run: python manage.py certifying_body_key {body.code}",
                    obj=body,
                    id="certification.E001" if kind is Error else "certification.W001",
                )
            )
    return problems


@register("certification", deploy=False)
def signing_key_secret_check(app_configs=None, **kwargs):
    """With DEBUG off, the secret that encrypts the bodies' signing keys must be set, and must
    not be a published development value: anyone holding it and a copy of the database (a
    backup) could open every private key and sign certificates. It never falls back to
    ``SECRET_KEY`` then (portal/settings.py). ``manage.py migrate``, ``check`` and
    ``runserver`` all stop on this error, so ``make serve`` does too."""
    if settings.DEBUG:
        return []
    secret = settings.PORTAL_SIGNING_KEY_SECRET
    if not secret:
        problem = "PORTAL_SIGNING_KEY_SECRET is not set"
    elif secret in getattr(settings, "PORTAL_DEVELOPMENT_SECRETS", ()):
        problem = "PORTAL_SIGNING_KEY_SECRET is the published development value"
    else:
        return []
    return [
        Error(
            f"{problem}: with DEBUG off the bodies' signing keys need a secret of their own.",
            hint=(
                "Set PORTAL_SIGNING_KEY_SECRET (or PORTAL_SIGNING_KEY_SECRET_FILE) to a long "
                'random value kept outside the repository, e.g. python -c "import secrets; '
                'print(secrets.token_urlsafe(50))"'
            ),
            id="certification.E002",
        )
    ]
