"""Site search on PostgreSQL: a page published now is found, quotes and all."""

import pytest

from tests import factories

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_base_published_on_postgresql_is_found_by_the_site_search(client):
    factories.training_base("ZJ-S", "33")
    for query in ("ZJ-S", '"ZJ-S"', '"ZJ-S'):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert "ZJ-S 培训基地" in response.content.decode(), query
