"""Status lists (Bitstring Status List): a certificate's bit, signing and serving the list."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.credentials import keys, vc
from certification.credentials.models import StatusList
from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.links import status_list_url


def status_bits_allocate(*, body: CertifyingBody, count: int = 1) -> list[tuple[StatusList, int]]:
    """Fresh bits in the body's current status list, signed by the body's active key; a new
    list is started when one fills up."""
    try:
        key = keys.signing_key_active(body=body)
    except keys.KeyUnavailable as exc:
        raise CertificationError(
            _("%(body)s has no signing key yet; an administrator must create one.")
            % {"body": body.name}
        ) from exc
    bits = []
    while len(bits) < count:
        status_list = (
            StatusList.objects.select_for_update(of=("self",))
            .filter(body=body, signing_key=key)
            .order_by("-number")
            .first()
        )
        if status_list is None or status_list.next_index >= StatusList.LENGTH:
            last = StatusList.objects.filter(body=body).order_by("-number").first()
            status_list = StatusList.objects.create(
                body=body, signing_key=key, number=(last.number + 1) if last else 1
            )
            status_list = StatusList.objects.select_for_update(of=("self",)).get(pk=status_list.pk)
        start = status_list.next_index
        take = min(count - len(bits), StatusList.LENGTH - start)
        bits.extend((status_list, index) for index in range(start, start + take))
        status_list.next_index = start + take
        status_list.save(update_fields=["next_index"])
    return bits


def status_list_sign(status_list: StatusList) -> dict:
    """Rebuild and sign the list from the certificates it covers; stored on the row."""
    revoked = Certificate.objects.filter(
        status_list=status_list, status=Certificate.Status.REVOKED
    ).values_list("status_index", flat=True)
    key = status_list.signing_key
    document = vc.status_list_credential(
        url=status_list_url(status_list),
        issuer_public_key=bytes(key.public_key),
        revoked_indexes=list(revoked),
        length=StatusList.LENGTH,
        valid_from=timezone.now().astimezone(datetime.UTC).replace(microsecond=0),
    )
    signed = vc.sign(
        document,
        private_key=keys.private_key(key),
        created=timezone.now().astimezone(datetime.UTC).replace(microsecond=0),
    )
    status_list.credential = signed
    status_list.save(update_fields=["credential", "updated_at"])
    return signed


def status_list_current(*, body_code: str, number: int) -> dict | None:
    """The signed status-list credential, signing it first if it never was."""
    status_list = (
        StatusList.objects.select_related("signing_key", "body")
        .filter(body__code=body_code, number=number)
        .first()
    )
    if status_list is None:
        return None
    if not status_list.credential:
        with transaction.atomic():
            status_list = (
                StatusList.objects.select_for_update(of=("self",))
                .select_related("signing_key", "body")
                .get(pk=status_list.pk)
            )
            if not status_list.credential:
                status_list_sign(status_list)
    return status_list.credential
