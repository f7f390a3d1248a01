"""The course catalogue across all bases, the class calendar, and a trainee's sessions as an
iCalendar file. Thin: the reads live in selectors.py, the file format in ical.py."""

import calendar as month_grid
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.taxonomy import Level
from portal.accounts.provinces import Province

from . import ical, selectors
from .models import Delivery


def catalogue(request):
    filters = selectors.CatalogueFilters.from_query(request.GET)
    entries = selectors.catalogue(filters=filters)
    bases = selectors.catalogue_bases()
    return render(
        request,
        "courses/catalogue.html",
        {
            "entries": entries,
            "filters": filters,
            "levels": Level.as_choices(),
            "provinces": [
                (code, label)
                for code, label in Province.choices
                if code in {base.province for base in bases}
            ],
            "bases": bases,
            "deliveries": Delivery.choices,
        },
    )


def _month(value: str) -> datetime.date:
    """The first day of the month asked for as YYYY-MM, or of this month."""
    try:
        year, month = (int(part) for part in value.split("-"))
        if 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)


def class_calendar(request):
    first = _month(request.GET.get("month", ""))
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(following, datetime.time.min, tzinfo=zone)
    sessions = selectors.sessions_between(start=start, end=end)
    by_day = {}
    for entry in sessions:
        by_day.setdefault(timezone.localdate(entry.lesson.session_starts), []).append(entry)
    weeks = [
        [
            {"date": day, "in_month": day.month == first.month, "sessions": by_day.get(day, [])}
            for day in week
        ]
        for week in month_grid.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return render(
        request,
        "courses/class_calendar.html",
        {
            "month": first,
            "weeks": weeks,
            "sessions": sessions,
            "previous": previous.strftime("%Y-%m"),
            "next": following.strftime("%Y-%m"),
            "today": timezone.localdate(),
        },
    )


@login_required
def my_sessions_ics(request):
    """The signed-in person's own in-person sessions, for their calendar app."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or request.get_host()
    events = []
    for entry in selectors.sessions_of(user=request.user):
        lesson = entry.lesson
        place = lesson.location
        if entry.base is not None:
            place = f"{entry.base.title}, {place}" if place else entry.base.title
        events.append(
            ical.Event(
                uid=f"session-{lesson.pk}@{host}",
                starts=lesson.session_starts,
                ends=lesson.session_closes,
                summary=f"{entry.course.title}: {lesson.title}",
                location=place,
                description=entry.course.class_name,
                url=request.build_absolute_uri(lesson.url) if lesson.url else "",
            )
        )
    body = ical.calendar(events=events, name=_("My training sessions"), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
