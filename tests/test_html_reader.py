"""What a reader and a scholarly indexer get from the HTML edition's first page: citation meta
tags and JSON-LD, the licence, a PDF link, a "cite this thesis" block; and the search index
loaded only when search is first used.

The page tests read the thesis that `make test` builds first (`_book/`) and compare it with
`_quarto.yml` read here with PyYAML; the browser tests open it from a file:// URL in Chromium
(the fixtures of test_browser.py).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml
from bookbuild_helpers import Element, parse_html
from test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    axe_source,
    axe_violations,
    browser_binaries,
    driver,
    load,
    search,
)

from bookbuild.config.project import load_book
from bookbuild.config.thesis import Thesis
from bookbuild.writers import citation

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
FIXTURE = ROOT / "tests" / "fixtures" / "minibook"

THESIS = Thesis(
    author="Li Hua",
    institution="Henan University",
    faculty="School of Law",
    degree="Master of Laws",
    supervisors=("Prof. Wang",),
    date="2026-05-01",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    kind="Master's thesis",
    declaration="I declare.",
)


@pytest.fixture(scope="module")
def config() -> dict:
    if not (BOOK / "index.html").is_file():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    return yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))


@pytest.fixture(scope="module")
def index() -> Element:
    return parse_html((BOOK / "index.html").read_text("utf-8"))


def _meta(page: Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in page.find_all("meta"):
        if meta.attrs.get("name", "").startswith("citation_"):
            found.setdefault(meta.attrs["name"], []).append(meta.attrs["content"])
    return found


# ---- unit ---------------------------------------------------------------------------------


def test_bibtex_entry_type_follows_the_kind_of_thesis() -> None:
    book = load_book(FIXTURE)
    assert citation.bibtex(book, THESIS).startswith("@mastersthesis{hua2026a,")
    doctoral = dataclasses.replace(THESIS, kind="Doctoral dissertation")
    assert citation.bibtex(book, doctoral).startswith("@phdthesis{")
    plain = dataclasses.replace(THESIS, kind="Thesis", institution="A & B_C {x}")
    entry = citation.bibtex(book, plain)
    assert entry.startswith("@thesis{") and "  type = {Thesis}" in entry
    assert r"school = {A \& B\_C x}" in entry


def test_json_ld_cannot_close_its_script_element() -> None:
    book = dataclasses.replace(load_book(FIXTURE), title="A </script><b>title")
    head = citation.head_meta(book, THESIS, pdf=True)
    script = head[head.index("<script") :]
    assert script.count("</script>") == 1 and script.endswith("</script>")
    data = json.loads(script[script.index(">") + 1 : -len("</script>")])
    assert data["name"] == "A </script><b>title"
    assert '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">' in head


def test_the_pdf_is_offered_only_when_downloads_lists_it() -> None:
    assert citation.pdf_download(load_book(FIXTURE)) is False
    assert citation.pdf_download(load_book(ROOT)) is True


# ---- the built first page -----------------------------------------------------------------


def test_citation_meta_tags_come_from_the_config(config: dict, index: Element) -> None:
    meta = _meta(index)
    author = config["book"]["author"][0]
    assert meta["citation_title"] == [f"{config['book']['title']}: {config['book']['subtitle']}"]
    assert meta["citation_author"] == [author["name"]]
    assert meta["citation_publication_date"] == [str(config["book"]["date"])]
    assert meta["citation_dissertation_institution"] == [author["affiliations"][0]["name"]]
    assert meta["citation_keywords"] == ["; ".join(config["keywords"])]
    assert meta["citation_language"] == [config["lang"]]
    pdf = meta["citation_pdf_url"][0]
    assert (BOOK / pdf).is_file() and (BOOK / pdf).read_bytes()[:5] == b"%PDF-"
    # only the first page describes the work
    assert _meta(parse_html((BOOK / "02-theory.html").read_text("utf-8"))) == {}


def test_json_ld_describes_the_thesis(config: dict, index: Element) -> None:
    scripts = [s for s in index.find_all("script") if s.attrs.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    data = json.loads(scripts[0].text())
    author = config["book"]["author"][0]
    assert data["@type"] == "Thesis" and data["@context"] == "https://schema.org"
    assert data["name"] == config["book"]["title"]
    assert data["alternativeHeadline"] == config["book"]["subtitle"]
    assert data["author"] == {"@type": "Person", "name": author["name"]}
    assert data["sourceOrganization"]["name"] == author["affiliations"][0]["name"]
    assert (
        data["sourceOrganization"]["department"]["name"] == author["affiliations"][0]["department"]
    )
    assert data["inSupportOf"] == config["thesis"]["degree"]
    assert [c["name"] for c in data["contributor"]] == config["thesis"]["supervisors"]
    assert data["license"] == config["license"]
    assert data["encoding"]["contentUrl"] == "thesis.pdf"


def test_licence_pdf_link_and_cite_block_on_the_first_page(config: dict, index: Element) -> None:
    info = index.find("main").find("div", cls="work-info")
    assert config["license"] in info.find("p", cls="licence").text().replace("\u2019", "'")
    assert info.find("p", cls="pdf-link").find("a").attrs["href"] == "thesis.pdf"
    block = info.find("details", cls="cite-this")
    assert block.find("summary").text() == "Cite this thesis"
    text = " ".join(block.find("p", cls="cite-text").text().replace("\u2019", "'").split())
    author = config["book"]["author"][0]
    for part in (
        author["name"],
        f"({config['book']['date']})",
        config["book"]["title"],
        author["affiliations"][0]["name"],
    ):
        assert part in text, part
    entry = block.find("pre", cls="cite-bibtex").text()
    match = re.fullmatch(r"@(\w+)\{(\w+),\n((?:  \w+ = \{.*\},?\n)+)\}", entry)
    assert match, entry
    fields = dict(re.findall(r"  (\w+) = \{(.*)\}", match[3]))
    assert fields["author"] == author["name"]
    assert fields["title"] == f"{config['book']['title']}: {config['book']['subtitle']}"
    assert fields["school"] == author["affiliations"][0]["name"]
    assert fields["year"] == str(config["book"]["date"])


def test_every_page_links_the_pdf_and_none_loads_the_search_index_up_front() -> None:
    pages = sorted(BOOK.glob("*.html"))
    assert len(pages) > 10
    for path in pages:
        page = parse_html(path.read_text("utf-8"))
        link = page.find("header", cls="topbar").find("a", cls="pdf-download")
        assert link.attrs["href"] == "thesis.pdf", path.name
        sources = [s.attrs.get("src", "") for s in page.find_all("script")]
        assert not any("search-index" in s or "minisearch" in s for s in sources), path.name
    assert (BOOK / "assets" / "search-index.js").is_file()


# ---- in the browser -----------------------------------------------------------------------


# What a page may load without the network: its own files, inline data, and the browser's own
# pages (Chromium 150 asks for chrome://favicon2/ and new-tab-page images in any tab).
_LOCAL = ("file://", "data:", "chrome://", "chrome-untrusted://", "chrome-extension://")


def _requested(driver) -> list[str]:  # noqa: F811
    return [
        json.loads(e["message"])["message"]["params"]["request"]["url"]
        for e in driver.get_log("performance")
        if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]


def test_the_search_index_loads_on_first_use_from_a_file_url(driver, config) -> None:  # noqa: F811
    errors, urls = load(driver, (BOOK / "02-theory.html").as_uri())
    assert errors == []
    assert not any("search-index.js" in u or "minisearch.js" in u for u in urls)
    results = search(driver, "Lankao")
    later = _requested(driver)
    assert any(u.endswith("/assets/search-index.js") for u in later)
    assert any(u.endswith("/assets/vendor/minisearch.js") for u in later)
    assert [u for u in urls + later if not u.startswith(_LOCAL)] == []
    assert results and results[0]["href"].endswith(".html")


def test_the_first_page_with_the_cite_block_open_is_accessible(
    driver,  # noqa: F811
    axe_source,  # noqa: F811
    config,
) -> None:
    errors, _ = load(driver, (BOOK / "index.html").as_uri())
    assert errors == []
    driver.execute_script("document.querySelector('details.cite-this').open = true;")
    assert axe_violations(driver, axe_source) == []


# ---- previews of cross-references and citations -------------------------------------------


def _preview_data() -> dict:
    text = (BOOK / "assets" / "preview-data.js").read_text("utf-8")
    prefix = "window.BOOK_PREVIEWS = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix) : -2])


def test_previews_hold_each_target_as_the_pages_show_it(config) -> None:
    data = _preview_data()
    findings = parse_html((BOOK / "05-findings.html").read_text("utf-8"))
    for figure in findings.find_all("div", cls="quarto-float"):  # the label is on the div
        ident = figure.attrs.get("id", "")
        if ident.startswith("fig-"):
            caption = " ".join(figure.find("figcaption").text().split())
            preview = data[ident]
            assert preview["kind"] == "figure"
            assert preview["text"] == caption or (  # a long caption is cut at a word
                preview["text"].endswith(" …")
                and caption.startswith(preview["text"].removesuffix(" …"))
            )
    references = parse_html((BOOK / "references.html").read_text("utf-8"))
    entries = references.find_all("div", cls="csl-entry")
    assert entries
    for entry in entries:  # as the bibliography prints it, long ones cut at a word with " …"
        preview, shown = data[entry.attrs["id"]]["text"], " ".join(entry.text().split())
        assert preview == shown or (
            preview.endswith(" …") and shown.startswith(preview.removesuffix(" …"))
        )
    section = data["sec-simulated-data"]
    assert section["title"].endswith("The simulated open data set")
    assert section["text"].startswith("The original questionnaires")
    assert all(len(p["text"]) <= 322 for p in data.values())
    # the pages do not load the previews up front
    for path in BOOK.glob("*.html"):
        assert "preview-data.js" not in path.read_text("utf-8")


def _card(driver) -> dict:  # noqa: F811
    return driver.execute_script("""
        const card = document.getElementById('xref-preview');
        return card ? {shown: !card.hidden, text: card.textContent,
                       role: card.getAttribute('role')} : {shown: false, text: '', role: null};
    """)


def _wait_for(driver, condition) -> None:  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 5).until(lambda d: condition(_card(d)))


def test_hovering_a_cross_reference_previews_its_target(driver, config) -> None:  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    errors, urls = load(driver, (BOOK / "05-findings.html").as_uri())
    assert errors == [] and not any("preview-data" in u for u in urls)
    data = _preview_data()
    link = driver.find_element(
        By.CSS_SELECTOR, 'main a[href="04-survey-design.html#sec-simulated-data"]'
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    ActionChains(driver).move_to_element(link).perform()
    _wait_for(driver, lambda card: card["shown"])
    card = _card(driver)
    assert card["role"] == "tooltip"
    assert data["sec-simulated-data"]["title"] in card["text"]
    assert any(u.endswith("/assets/preview-data.js") for u in _requested(driver))
    # a citation, reached with the keyboard
    cite = driver.find_element(By.CSS_SELECTOR, 'main a[href^="references.html#ref-"]')
    ident = cite.get_attribute("href").split("#")[1]
    driver.execute_script("arguments[0].focus();", cite)
    _wait_for(driver, lambda card: card["shown"] and data[ident]["text"] in card["text"])
    assert cite.get_attribute("aria-describedby") == "xref-preview"
    cite.send_keys("\ue00c")  # Escape
    _wait_for(driver, lambda card: not card["shown"])
    assert cite.get_attribute("aria-describedby") is None


def test_a_shown_preview_keeps_the_page_accessible(driver, axe_source, config) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    load(driver, (BOOK / "05-findings.html").as_uri())
    link = driver.find_element(By.CSS_SELECTOR, 'main a[href^="#fig-"], main a[href*=".html#fig-"]')
    driver.execute_script("arguments[0].focus();", link)
    _wait_for(driver, lambda card: card["shown"])
    assert axe_violations(driver, axe_source) == []


def test_search_matches_smart_apostrophes_typed_straight(driver, config) -> None:  # noqa: F811
    load(driver, (BOOK / "index.html").as_uri())
    assert "Lankao\u2019s" in (BOOK / "index.html").read_text("utf-8")
    straight, curly = (search(driver, q) for q in ("Lankao's gains", "Lankao\u2019s gains"))
    assert straight == curly
    assert any(r["href"].startswith("index.html") for r in straight)


def test_every_figure_image_opens_full_size() -> None:
    """On a phone a figure is as wide as the screen; its image links to itself, full size."""
    checked = 0
    for path in sorted(BOOK.glob("*.html")):
        for figure in parse_html(path.read_text("utf-8")).find_all("figure"):
            for image in figure.find_all("img"):
                link = next((a for a in image.ancestors() if a.tag == "a"), None)
                assert link is not None and "figure-zoom" in link.classes, (path.name, image.attrs)
                assert link.attrs["href"] == image.attrs["src"]
                assert (BOOK / image.attrs["src"]).is_file()
                checked += 1
    assert checked >= 10
