"""XML Schema dateTime stamps as credentials carry them: whole seconds, with a time zone."""

from datetime import UTC, datetime, timedelta


def xsd_datetime(moment: datetime) -> str:
    """``2026-03-01T08:00:00Z``: the moment in UTC; naive datetimes are refused.

    Sub-second precision is dropped: it means nothing on a certificate and some verifiers
    parse fractional seconds poorly.
    """
    _check_aware(moment)
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def xsd_datetime_local(moment: datetime) -> str:
    """``2027-03-01T23:59:59+08:00``: the moment with its own offset kept.

    For a date printed on a certificate in one time zone, the offset says which day was meant;
    converted to UTC, 23:59:59 on the printed day in Beijing would read as 15:59:59Z, and a
    ``…T23:59:59Z`` stamp would stay valid eight hours past the printed day. A zero offset is
    written ``Z``.
    """
    _check_aware(moment)
    moment = moment.replace(microsecond=0)
    if moment.utcoffset() == timedelta(0):
        return moment.replace(tzinfo=None).isoformat() + "Z"
    return moment.isoformat()


def _check_aware(moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError("a credential's dates must be timezone-aware datetimes")


def parse_xsd_datetime(text: str) -> datetime:
    """Inverse of :func:`xsd_datetime`, also accepting offsets and fractions; must be aware."""
    if not isinstance(text, str) or "T" not in text:
        raise ValueError(f"not an XML Schema dateTime: {text!r}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.utcoffset() is None:
        raise ValueError(f"an XML Schema dateTimeStamp needs a time zone: {text!r}")
    return moment
