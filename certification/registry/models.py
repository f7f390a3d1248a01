"""The public registry of certified talent (人才库): who chose to be listed, and what they show.

Being listed is the holder's choice, off until they turn it on, and ends the moment they turn
it off. Whether a listed person actually appears is decided at every search from their
certificates (``certification/registry/selectors.py``), so an expired or revoked certificate
takes them out without anything being written here.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SPECIALTY_SEPARATORS = re.compile(r"[,，、;；/\n]+")


def specialties_split(text: str) -> list[str]:
    """``"技术评估，专利运营、 科技金融"`` → ``["技术评估", "专利运营", "科技金融"]``."""
    seen, items = set(), []
    for item in SPECIALTY_SEPARATORS.split(text or ""):
        item = " ".join(item.split())
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


class RegistryListing(models.Model):
    """One holder's consent to appear in the public registry, and their public profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registry_listing",
        verbose_name=_("holder"),
    )
    listed = models.BooleanField(_("listed in the public registry"), default=False)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    specialties = models.CharField(
        _("specialties"),
        max_length=300,
        blank=True,
        help_text=_(
            "What you can help with, separated by commas, for example: "
            "technology valuation, patent licensing, technology finance."
        ),
    )
    public_contact = models.CharField(
        _("public contact"),
        max_length=200,
        blank=True,
        help_text=_(
            "Shown to everyone who finds you. Leave it empty and the registry shows no way to "
            "contact you; your account's e-mail address and phone are never shown."
        ),
    )
    show_filing = models.BooleanField(
        _("show my filing and latest evaluation"),
        default=False,
        help_text=_(
            "When you are filed with the national body, the registry shows that you are filed "
            "and the grade of your latest yearly evaluation."
        ),
    )
    listed_since = models.DateTimeField(_("listed since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("registry listing")
        verbose_name_plural = _("registry listings")
        indexes = [models.Index(fields=["listed"])]

    def __str__(self):
        return f"{self.user} ({'listed' if self.listed else 'not listed'})"

    @property
    def specialty_list(self) -> list[str]:
        return specialties_split(self.specialties)
