"""The national faculty pool: live faculty member pages of every base, searched by specialty,
province and name, as plain data for the layer that shows them with their teaching record."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q

from portal.accounts.provinces import Province

from .models import FacultyMemberPage, TrainingBasePage

POOL_PAGE_SIZE = 12


@dataclass(frozen=True)
class FacultyCard:
    page_id: int
    name: str
    professional_title: str
    organisation: str
    province: str
    province_label: str
    base_id: int | None
    base_name: str
    base_url: str
    specialties: tuple[str, ...]
    page_url: str
    photo_url: str = ""


@dataclass(frozen=True)
class FacultyProfile:
    card: FacultyCard
    certificates: tuple[str, ...]
    level_labels: tuple[str, ...]
    module_labels: tuple[str, ...]
    biography: str  # rich text as stored; the template renders it with |richtext


def _province_label(code: str) -> str:
    return str(Province(code).label) if code in Province.values else ""


def _members(*, specialty: str = "", province: str = "", text: str = ""):
    members = FacultyMemberPage.objects.live().public()
    if specialty:
        members = members.filter(specialties__name=specialty)
    if province:
        # Their own province, or, when they give none, their base's.
        own_base = Q()
        for path in TrainingBasePage.objects.filter(province=province).values_list(
            "path", flat=True
        ):
            own_base |= Q(path__startswith=path)
        condition = Q(province=province)
        if own_base:
            condition |= Q(province="") & own_base
        members = members.filter(condition)
    for word in text.split()[:5]:
        members = members.filter(
            Q(title__icontains=word)
            | Q(organisation__icontains=word)
            | Q(professional_title__icontains=word)
            | Q(specialties__name__icontains=word)
        )
    return members.distinct().order_by("title", "pk")


def _cards(members) -> list[FacultyCard]:
    members = list(members.select_related("photo").prefetch_related("specialties"))
    bases = {
        base.path: base
        for base in TrainingBasePage.objects.only("pk", "title", "province", "path", "url_path")
    }
    depth = TrainingBasePage.objects.values_list("depth", flat=True).first() or 0
    cards = []
    for member in members:
        base = bases.get(member.path[: depth * FacultyMemberPage.steplen])
        province = member.province or (base.province if base else "")
        photo_url = ""
        if member.photo is not None:
            try:
                photo_url = member.photo.get_rendition("fill-96x96").url
            except Exception:  # a missing file must not take the pool down
                photo_url = ""
        cards.append(
            FacultyCard(
                page_id=member.pk,
                name=member.title,
                professional_title=member.professional_title,
                organisation=member.organisation,
                province=province,
                province_label=_province_label(province),
                base_id=base.pk if base else None,
                base_name=base.title if base else "",
                base_url=(base.url or "") if base else "",
                specialties=tuple(tag.name for tag in member.specialties.all()),
                page_url=member.url or "",
                photo_url=photo_url,
            )
        )
    return cards


def faculty_pool_page(*, specialty: str = "", province: str = "", text: str = "", page_number=None):
    """One page (a Django ``Page``) of the pool's matches, its ``object_list`` plain cards."""
    if province and province not in Province.values:
        province = ""
    paginator = Paginator(
        _members(specialty=specialty, province=province, text=text), POOL_PAGE_SIZE
    )
    page = paginator.get_page(page_number)
    page.object_list = _cards(
        FacultyMemberPage.objects.filter(pk__in=[m.pk for m in page]).order_by("title", "pk")
    )
    return page


def faculty_pool_specialties(*, limit: int = 30) -> list[str]:
    """The specialties live faculty of every base list, most common first."""
    from wagtail.models import Page

    from .selectors import faculty_specialties

    return faculty_specialties(root=Page.get_first_root_node())[:limit]


def faculty_profile(*, page_id: int) -> FacultyProfile | None:
    """A live faculty member's public profile, or None."""
    members = FacultyMemberPage.objects.live().public().filter(pk=page_id)
    member = members.first()
    if member is None:
        return None
    card = _cards(members)[0]
    return FacultyProfile(
        card=card,
        certificates=tuple(member.get_certificate_lines()),
        level_labels=tuple(str(label) for label in member.get_level_labels()),
        module_labels=tuple(str(label) for label in member.get_module_labels()),
        biography=member.biography,
    )


def faculty_page_base_id(*, page_id: int) -> int | None:
    """The training base a faculty page (live or not) lies under."""
    member = FacultyMemberPage.objects.filter(pk=page_id).first()
    if member is None:
        return None
    base = TrainingBasePage.objects.ancestor_of(member).first()
    return base.pk if base else None
