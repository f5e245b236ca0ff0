"""Query keys that `url_for` reserves never reach it from a request (finding 9).

Before: `_external`, `endpoint` or `_method` in the query of a list with a next page answered
500, and `_anchor` / `_scheme` were copied into the API's `next` link.
"""

import pytest

RESERVED = (
    "_external", "endpoint", "_method", "_anchor", "_scheme", "values", "_consultation", "_site",
)  # fmt: skip


@pytest.fixture
def many(create_contribution):
    for number in range(25):  # more than one page of the public list (20) and of the API (1)
        create_contribution(text=f"Servono più posti nei centri diurni, proposta numero {number}.")


@pytest.mark.parametrize("key", RESERVED)
def test_the_api_next_link_carries_only_filters(client, many, key):
    response = client.get(f"/api/v1/contributions?per_page=1&q=centri&{key}=javascript")
    assert response.status_code == 200
    link = response.get_json()["next"]
    assert (
        link == "http://localhost/c/piemonte-2018/api/v1/contributions?page=2&per_page=1&q=centri"
    )


@pytest.mark.parametrize("key", RESERVED)
def test_the_public_list_page_links_carry_only_filters(client, many, key):
    response = client.get(f"/proposte?q=centri&{key}=javascript")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/c/piemonte-2018/proposte?pagina=2&amp;q=centri"' in page
    assert "javascript" not in page.split("<main", 1)[1].split("</main>", 1)[0].replace(
        'value="javascript"', ""
    )
