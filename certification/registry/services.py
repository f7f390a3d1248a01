"""Writes: a holder joining, editing and leaving the public registry of certified talent.

Joining and leaving are recorded in the audit log (who, when), because they are consent to
publish a person's name; edits to the profile text are not.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.audit.chain import audit_append
from certification.errors import CertificationError
from certification.registry.models import RegistryListing, specialties_split
from certification.registry.selectors import holds_certificate_in_force
from portal.accounts.names import text_clean


def _locked_listing(user) -> RegistryListing:
    listing, _created = RegistryListing.objects.select_for_update().get_or_create(
        user=user, defaults={"organisation": user.organisation}
    )
    return listing


def _public_text(value: str) -> str:
    """Registry text is public: refused with invisible, control or direction characters
    (a right-to-left override would make it read backwards), whoever calls."""
    try:
        return text_clean(value or "")
    except ValidationError as error:
        raise CertificationError(" ".join(error.messages)) from error


def _profile_set(listing: RegistryListing, *, organisation, specialties, public_contact) -> None:
    listing.organisation = _public_text(organisation)
    listing.specialties = "、".join(specialties_split(_public_text(specialties)))
    listing.public_contact = _public_text(public_contact)


def _show_filing_set(listing: RegistryListing, show_filing: bool | None) -> bool:
    """The separate consent to show one's filing and latest grade (None: unchanged); whether
    it changed. The caller saves the listing, then audits the change (``_show_filing_audit``)."""
    if show_filing is None or bool(show_filing) == listing.show_filing:
        return False
    listing.show_filing = bool(show_filing)
    return True


def _show_filing_audit(user, listing: RegistryListing) -> None:
    action = "registry.filing_shown" if listing.show_filing else "registry.filing_hidden"
    audit_append(actor=user, action=action, obj=listing)


@transaction.atomic
def registry_join(
    *,
    user,
    organisation: str = "",
    specialties: str = "",
    public_contact: str = "",
    show_filing: bool | None = None,
) -> RegistryListing:
    """List the holder in the public registry, with the profile given."""
    if not holds_certificate_in_force(user_id=user.pk):
        raise CertificationError(
            _(
                "Only holders of a valid certificate can join the registry. You can join once "
                "you hold one."
            )
        )
    listing = _locked_listing(user)
    _profile_set(
        listing,
        organisation=organisation,
        specialties=specialties,
        public_contact=public_contact,
    )
    consent_changed = _show_filing_set(listing, show_filing)
    joined = not listing.listed
    if joined:
        listing.listed = True
        listing.listed_since = timezone.now()
    listing.save()
    if joined:
        audit_append(actor=user, action="registry.joined", obj=listing)
    if consent_changed:
        _show_filing_audit(user, listing)
    return listing


@transaction.atomic
def registry_update(
    *,
    user,
    organisation: str = "",
    specialties: str = "",
    public_contact: str = "",
    show_filing: bool | None = None,
) -> RegistryListing:
    """Change what the listing shows, listed or not."""
    listing = _locked_listing(user)
    _profile_set(
        listing,
        organisation=organisation,
        specialties=specialties,
        public_contact=public_contact,
    )
    consent_changed = _show_filing_set(listing, show_filing)
    listing.save()
    if consent_changed:
        _show_filing_audit(user, listing)
    return listing


@transaction.atomic
def registry_leave(*, user) -> RegistryListing | None:
    """Take the holder out of the registry at once; their profile text is kept for later."""
    listing = RegistryListing.objects.select_for_update().filter(user=user).first()
    if listing is None or not listing.listed:
        return listing
    listing.listed = False
    listing.listed_since = None
    listing.save(update_fields=["listed", "listed_since", "updated_at"])
    audit_append(actor=user, action="registry.left", obj=listing)
    return listing
