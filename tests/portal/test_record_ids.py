"""Record ids in addresses: a number too large for the database is "not found", never a
server error (SQLite's integers stop at 2**63 - 1)."""

import re

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from tests import factories

HUGE = "9" * 20


OUR_APPS = ("portal.", "cms.", "courses.", "certification.")


def _routes(patterns, prefix=""):
    """The routes of the portal's own views (Wagtail's and allauth's, and the admin's, are
    theirs to keep)."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.callback.__module__.startswith(OUR_APPS):
            yield route


ID_ROUTES = [route for route in _routes(get_resolver().url_patterns) if "<id:" in route]


def test_the_sites_record_addresses_take_ids_through_the_bounded_converter():
    assert len(ID_ROUTES) >= 20
    ours = [r for r in _routes(get_resolver().url_patterns) if not r.startswith("admin/")]
    assert not [route for route in ours if "<int:" in route]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_too_large_for_the_database_matches_no_page(route):
    path = "/" + re.sub(r"<(?:slug|str):\w+>", "x", route.lstrip("^").replace("\\", ""))
    view = resolve(re.sub(r"<id:\w+>", "1" * 18, path)).func
    # Too long for the converter: the address falls through to the CMS's "no such page".
    try:
        other = resolve(re.sub(r"<id:\w+>", HUGE, path)).func
    except Resolver404:
        other = None
    assert other is not view


@pytest.mark.django_db
def test_a_huge_id_in_a_trainees_address_is_not_found(client):
    client.force_login(factories.UserFactory())
    response = client.get(f"/me/applications/{HUGE}/evidence/1/")
    assert response.status_code == 404
