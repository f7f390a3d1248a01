"""The portal's roles. Each is a Django group created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAINEE = "Trainee", _("Trainee")
    BASE_EDITOR = "Base editor", _("Base editor")
    FACULTY = "Faculty", _("Faculty")
    CERTIFIER = "Certifier", _("Certifier")
    ADMINISTRATOR = "Administrator", _("Administrator")


def user_has_role(user, role: str) -> bool:
    """Whether a signed-in user belongs to the role's group (superusers hold every role)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return role in user_role_names(user)


def user_role_names(user) -> frozenset[str]:
    """The names of the role groups the user is in, read once per user object."""
    cached = getattr(user, "_portal_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._portal_role_names = cached
    return cached
