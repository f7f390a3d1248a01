"""Site search on PostgreSQL: a page published now is found, quotes and all, and Chinese words
inside a run of Chinese characters are found (the fixed list of demo queries, as on SQLite)."""

import re

import pytest

from tests import factories
from tests.portal.search_queries import QUERIES, demo_search_site, misses

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_base_published_on_postgresql_is_found_by_the_site_search(client):
    factories.training_base("ZJ-S", "33")
    for query in ("ZJ-S", '"ZJ-S"', '"ZJ-S'):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        # The words found are marked: the title reads whole once the tags are left out.
        assert "ZJ-S 培训基地" in re.sub(r"</?mark>", "", response.content.decode()), query


def test_chinese_words_are_found_inside_titles_on_postgresql(client):
    factories.training_base("GD-HN", "44", title="华南技术转移人才培训基地")
    for query in ("华南", "培训", "人才培训", '"华南"'):
        response = client.get("/search/", {"q": query})
        titles = [hit.page.title for group in response.context["groups"] for hit in group.hits]
        assert "华南技术转移人才培训基地" in titles, query
    # A run the title does not hold finds nothing.
    assert client.get("/search/", {"q": "华北"}).context["groups"] == []


def test_every_query_of_the_list_finds_its_page_on_the_demo_content(client):
    demo_search_site()
    assert len(QUERIES) >= 40
    problems = misses(client)
    assert not problems, "\n".join(problems)
