"""Signing keys and status lists: what the signed credentials rest on."""

from django.db import models

from certification.levels.models import CertifyingBody


class SigningKey(models.Model):
    """An Ed25519 key a body signs credentials with, listed in the body's did:web document
    (credentials issued before did:web name its did:key instead).

    The private half is stored only encrypted (``credentials/keys.py``). Rotating keeps old
    keys, retired, so the status lists they signed can still be re-signed by their own key,
    and the DID document keeps listing them, so what they signed still verifies.
    """

    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="keys")
    public_key = models.BinaryField(max_length=32)
    private_key_sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["body"], condition=models.Q(retired_at=None), name="one_active_key"
            )
        ]

    def __str__(self):
        return f"{self.body.code} key {self.pk}"


class StatusList(models.Model):
    """A body's Bitstring Status List: one bit per certificate, set when it is revoked.

    The signed status-list credential is rebuilt whenever a bit changes and kept here, so
    serving it is a read.
    """

    LENGTH = 131072  # the minimum the Bitstring Status List specification allows

    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="status_lists")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(default=1)
    # The issuer of the list and of every credential in it: the body's did:web; empty for
    # lists started before did:web, whose issuer is the signing key's did:key.
    issuer_did = models.CharField(max_length=300, blank=True, default="")
    next_index = models.PositiveIntegerField(default=0)
    credential = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="one_status_list_number")
        ]

    def __str__(self):
        return f"{self.body_id}#{self.number}"


class PlatformKey(models.Model):
    """An Ed25519 key of the portal itself (its did:web is the site's host), which signs the
    audit chain's checkpoints. Sealed like a body's key; retired keys stay listed."""

    public_key = models.BinaryField(max_length=32)
    private_key_sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)  # one active key (NULLs would not be unique)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_platform_key"
            )
        ]

    def __str__(self):
        return f"platform key {self.pk}"
