"""The fixed list of realistic queries (tests/portal/search_queries.py) on the demo content,
on SQLite (FTS5): each finds its page on the first page of its kind's results. The same list
runs on PostgreSQL in tests/services/test_search.py."""

import pytest

from tests.portal.search_queries import QUERIES, demo_search_site, misses

pytestmark = pytest.mark.django_db


def test_every_query_of_the_list_finds_its_page_on_the_demo_content(client):
    demo_search_site()
    assert len(QUERIES) >= 40
    problems = misses(client)
    assert not problems, "\n".join(problems)
