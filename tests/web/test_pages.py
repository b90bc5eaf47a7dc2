"""The HTML pages over HTTP (no browser): state in the URL, the remembered region, escaping,
errors as pages, and the rendering helpers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.web.render import highlight, markdown, marked
from service.web.state import SearchState


def test_search_page_lists_results_with_their_metadata(client: TestClient) -> None:
    response = client.get("/sok?q=astma&region=12")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="sv">' in html
    assert "Astma hos vuxna" in html
    assert 'href="/innehall/nkk:astma-vuxna?region=12"' in html
    assert "Senast granskad" in html


def test_everything_is_served_from_here(client: TestClient) -> None:
    response = client.get("/sok?q=astma")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for asset in ("/static/site.css", "/static/suggest.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200
    assert '<script src="/static/suggest.js"' in response.text
    assert "https://" not in "".join(
        line for line in response.text.splitlines() if "<script" in line or "<link" in line
    )


def test_query_text_is_escaped(client: TestClient) -> None:
    html = client.get("/sok", params={"q": '<script>alert("x")</script>'}).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_region_is_remembered_in_a_cookie_and_put_back_in_the_url(client: TestClient) -> None:
    try:
        chosen = client.get("/sok?q=astma&region=12")
        assert chosen.cookies.get("kg_region") == "12"
        again = client.get("/sok?q=astma", follow_redirects=False)
        assert again.status_code == 303
        assert again.headers["location"] == "/sok?q=astma&region=12"
        item = client.get("/innehall/nkk:astma-vuxna", follow_redirects=False)
        assert item.headers["location"] == "/innehall/nkk:astma-vuxna?region=12"
        forgotten = client.get("/sok?q=astma&region=")
        assert forgotten.status_code == 200
        assert "kg_region" not in forgotten.cookies
        assert client.get("/sok?q=astma", follow_redirects=False).status_code == 200
    finally:
        client.cookies.clear()


def test_a_forged_region_cookie_is_ignored(client: TestClient) -> None:
    try:
        client.cookies.set("kg_region", "<script>")
        assert client.get("/sok?q=astma", follow_redirects=False).status_code == 200
    finally:
        client.cookies.clear()


def test_bad_input_is_a_4xx_page_not_json(client: TestClient) -> None:
    unknown_value = client.get("/sok?q=astma&audience=astronaut")
    assert unknown_value.status_code == 400
    assert unknown_value.headers["content-type"].startswith("text/html")
    assert "astronaut" in unknown_value.text
    assert client.get("/sok?q=astma&region=99").status_code == 400
    missing = client.get("/innehall/nkk:finns-inte")
    assert missing.status_code == 404
    assert "Sidan finns inte" in missing.text
    assert client.get("/begrepp/icd-10-se/XYZ").status_code == 404
    assert client.get("/begrepp/finns-inte").status_code == 404
    assert client.get("/sok?q=astma&page=abc").status_code == 200  # a bad page is page 1


def test_item_page_places_the_regions_supplement_after_its_section(client: TestClient) -> None:
    html = client.get("/innehall/nkk:astma-vuxna?region=12").text
    section = html.index('id="nkk-astma-vuxna-behandling"')
    supplement = html.index('id="region-12-astma-vuxna-skane"')
    next_section = html.index('id="nkk-astma-vuxna-akut-astma"')
    assert section < supplement < next_section
    without_region = client.get("/innehall/nkk:astma-vuxna?region=").text
    assert 'id="region-12-astma-vuxna-skane"' not in without_region
    assert "Region Skåne" in without_region  # named as available, with the selector


def test_link_only_source_shows_summary_and_link(client: TestClient) -> None:
    html = client.get("/sok?source=fass").text
    first = html.split('class="result-title"><a href="', 1)[1].split('"', 1)[0]
    page = client.get(first).text
    assert "Läs hela texten hos källan" in page


def test_concept_pages(client: TestClient) -> None:
    overview = client.get("/begrepp").text
    assert 'href="/begrepp/icd-10-se"' in overview
    scheme = client.get("/begrepp/icd-10-se").text
    assert 'class="tree"' in scheme
    concept = client.get("/begrepp/icd-10-se/J45").text
    assert "Astma" in concept and 'lang="en">Asthma' in concept
    assert 'href="/begrepp/icd-10-se/J45.0"' in concept
    assert 'aria-current="page" class="current"' in concept
    assert "/sok?concept=icd-10-se%3AJ45" in concept


def test_state_round_trips_through_the_url() -> None:
    state = SearchState.from_params(
        {"q": [" astma "], "audience": ["lakare", "lakare", ""], "page": ["3"], "x": ["y"]}
    )
    assert state.q == "astma" and state.filters == {"audience": ("lakare",)} and state.page == 3
    assert state.url() == "/sok?q=astma&audience=lakare&page=3"
    assert state.toggle("audience", "lakare").url() == "/sok?q=astma"
    assert state.toggle("source", "nkk").url() == "/sok?q=astma&source=nkk&audience=lakare"
    assert SearchState.from_params({"page": ["-1"]}).page == 1


def test_markdown_is_rendered_without_raw_html_and_headings_nest() -> None:
    html = str(markdown("### Dos\n\n<script>x</script>\n\n- a\n- b", level=3))
    assert "<h3>Dos</h3>" in html and "<li>a</li>" in html
    assert "<script>" not in html
    assert 'href="javascript:' not in str(markdown("[x](javascript:alert(1))"))


def test_highlight_marks_prefix_matches_and_escapes() -> None:
    assert str(highlight("Astma <b> hos vuxna", "astm")) == "<mark>Astma</mark> &lt;b&gt; hos vuxna"
    assert str(marked("<mark>Ast</mark>ma <img src=x>")) == "<mark>Ast</mark>ma &lt;img src=x&gt;"
