"""OpenID4VCI pre-authorised offers and proof nonces: what putting a certificate in a wallet
rests on.

Only SHA-256 digests of the codes, access tokens and nonces are stored: they are bearer secrets,
and a copy of the database must not be enough to collect someone's credential.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.issuing.models import Certificate


class WalletOffer(models.Model):
    """One credential offer shown as a QR to a certificate's holder.

    The pre-authorised code is single-use and short-lived; exchanging it gives an access token
    that is good for one credential request, bound to this certificate and holder.
    """

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="wallet_offers"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_offers"
    )
    code_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("offer expires at"))
    redeemed_at = models.DateTimeField(_("code redeemed at"), null=True, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(_("credential issued at"), null=True, blank=True)
    holder_did = models.CharField(_("holder's DID"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("wallet offer")
        verbose_name_plural = _("wallet offers")

    def __str__(self):
        return f"wallet offer {self.pk} for {self.certificate_id}"


class WalletNonce(models.Model):
    """A ``c_nonce`` a wallet must sign into its key proof: fresh, single-use."""

    value_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wallet proof nonce")
        verbose_name_plural = _("wallet proof nonces")

    def __str__(self):
        return f"nonce {self.pk}"
