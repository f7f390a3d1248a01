"""Sharing a certificate: LinkedIn's "add to profile" link and a QR code for phones.

WeChat opens a web page from a scanned QR code; there is no web link that hands a page to
WeChat from a computer, so the holder shows or saves the code and others scan it.
"""

from urllib.parse import urlencode

from certification.issuing.models import Certificate
from certification.links import verify_url
from courses import api as courses_api

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's "add licence or certification" form, filled in: name, issuing body, dates,
    the verify page and the number."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.level_name_en or certificate.level_name,
        "organizationName": certificate.body_name,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "certUrl": verify_url(certificate.number),
        "certId": certificate.number,
    }
    if certificate.valid_until:
        params["expirationYear"] = certificate.valid_until.year
        params["expirationMonth"] = certificate.valid_until.month
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def share_qr(certificate: Certificate, *, label: str):
    """The verify page's address as an inline SVG QR code."""
    return courses_api.qr_svg(verify_url(certificate.number), label=label)
