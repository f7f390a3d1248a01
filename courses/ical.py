"""A trainee's in-person sessions as an iCalendar file (RFC 5545), written by hand: a few
events need no library, and the rules that matter are kept here in one place: lines end in
CRLF, a line longer than 75 octets is folded (never inside a UTF-8 character), text values
escape backslash, semicolon, comma and newline, every event has a UID and a DTSTAMP, and
local times name the Asia/Shanghai zone that a VTIMEZONE in the file defines."""

import datetime
import zoneinfo
from dataclasses import dataclass

TZID = "Asia/Shanghai"
PRODID = "-//Technology Transfer Talent Training Portal//Sessions//ZH"

# China has kept UTC+8 all year, without daylight saving, since 1991.
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19910915T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


@dataclass(frozen=True)
class Event:
    uid: str
    starts: datetime.datetime  # aware
    ends: datetime.datetime  # aware
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (RFC 5545, 3.1), each
    continuation starting with one space, cut only between whole UTF-8 characters."""
    parts, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def local(value: datetime.datetime) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(TZID)).strftime("%Y%m%dT%H%M%S")


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(*, events: list[Event], name: str, stamp: datetime.datetime) -> bytes:
    """The VCALENDAR with ``events``, as the bytes to serve (UTF-8, CRLF line ends)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc(stamp)}",
            f"DTSTART;TZID={TZID}:{local(event.starts)}",
            f"DTEND;TZID={TZID}:{local(event.ends)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
