"""XML Schema dateTime stamps as credentials carry them: UTC, whole seconds, ``Z``."""

from datetime import UTC, datetime


def xsd_datetime(moment: datetime) -> str:
    """``2026-03-01T08:00:00Z``; naive datetimes are refused rather than guessed at.

    Sub-second precision is dropped: it means nothing on a certificate and some verifiers
    parse fractional seconds poorly.
    """
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError("a credential's dates must be timezone-aware datetimes")
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def parse_xsd_datetime(text: str) -> datetime:
    """Inverse of :func:`xsd_datetime`, also accepting offsets and fractions; must be aware."""
    if not isinstance(text, str) or "T" not in text:
        raise ValueError(f"not an XML Schema dateTime: {text!r}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.utcoffset() is None:
        raise ValueError(f"an XML Schema dateTimeStamp needs a time zone: {text!r}")
    return moment
