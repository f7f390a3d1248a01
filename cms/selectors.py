"""Reads of the content tree."""

from collections import OrderedDict

from django.db.models import Count

from portal.accounts.provinces import Province

from .fields import has_choice
from .models import FacultyMemberPage, NewsPage, TextbookPage, TrainingBasePage


def bases_by_province(*, province: str | None = None) -> "OrderedDict[str, list]":
    """Live training bases grouped under their province's label, provinces in official order."""
    bases = TrainingBasePage.objects.live().public().order_by("province", "title")
    if province:
        bases = bases.filter(province=province)
    grouped: OrderedDict[str, list] = OrderedDict()
    for base in bases.select_related("logo"):
        grouped.setdefault(Province(base.province).label, []).append(base)
    return grouped


def news_latest(*, limit: int = 6, root=None):
    """The newest live news items, national and from the bases alike."""
    items = NewsPage.objects.live().public()
    if root is not None:
        items = items.descendant_of(root)
    return items.select_related("image").order_by("-date", "-pk")[:limit]


def textbooks_filtered(*, root, level: str | None = None, module: str | None = None):
    """Live textbooks below ``root`` serving ``level`` and ``module`` (either may be omitted)."""
    books = TextbookPage.objects.live().public().descendant_of(root)
    if level:
        books = books.filter(has_choice("levels", level))
    if module:
        books = books.filter(has_choice("modules", module))
    return books.select_related("cover", "document").order_by("-year", "title")


def faculty_filtered(*, root, specialty: str | None = None):
    """Live faculty members below ``root``, optionally only those with ``specialty``."""
    members = FacultyMemberPage.objects.live().public().descendant_of(root)
    if specialty:
        members = members.filter(specialties__name=specialty)
    return members.select_related("photo").prefetch_related("specialties").order_by("title")


def faculty_specialties(*, root) -> list[str]:
    """The specialties that live faculty below ``root`` list, most common first."""
    members = FacultyMemberPage.objects.live().public().descendant_of(root)
    rows = (
        FacultyMemberPage.specialties.through.objects.filter(content_object__in=members)
        .values("tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")
    )
    return [row["tag__name"] for row in rows]
