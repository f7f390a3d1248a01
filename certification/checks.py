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
