"""The HTML edition as files: pages parsed with the standard library's HTML parser.

The fixture book is built once per session (`fixture_book` in conftest); the tests read its pages
and check structure that a reader relies on: the sidebar and pager, numbered headings,
cross-references and citations that resolve, alt text, local assets, language spans,
escaped data, and the search documents. The helpers of `bookbuild.html` and
`bookbuild.search` are also checked on small hand-made inputs.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from bookbuild.document.ast import Div, Span, Str
from bookbuild.document.chapter import Chapter
from bookbuild.errors import BuildError
from bookbuild.writers import html as book_html
from bookbuild.writers import search

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minibook"


class Page(HTMLParser):
    """Elements of one page as (tag, attributes, text inside) with ids, links and classes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {
            "tag": tag,
            "attrs": {k: v or "" for k, v in attrs},
            "text": "",
            "parents": [e["tag"] + "." + e["attrs"].get("class", "") for e in self._open],
        }
        self.elements.append(element)
        if tag not in ("img", "meta", "link", "br", "hr", "input", "path", "circle"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self._open[position]["tag"] == tag:
                del self._open[position:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element["text"] += data

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[dict]:
        return [
            e
            for e in self.elements
            if (tag is None or e["tag"] == tag)
            and (cls is None or cls in e["attrs"].get("class", "").split())
            and all(e["attrs"].get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    @property
    def ids(self) -> set[str]:
        return {e["attrs"]["id"] for e in self.elements if "id" in e["attrs"]}


@pytest.fixture(scope="module")
def edition(fixture_book: Path) -> Path:
    """The fixture book's edition, built once per session (conftest)."""
    return fixture_book / "_book"


@pytest.fixture(scope="module")
def pages(edition: Path) -> dict[str, Page]:
    return {p.name: Page(p.read_text("utf-8")) for p in sorted(edition.glob("*.html"))}


@pytest.fixture(scope="module")
def order(pages: dict[str, Page]) -> list[str]:
    """Reading order, as the first page's sidebar lists it."""
    sidebar = [
        e
        for e in pages["index.html"].find("a")
        if "nav.sidebar" in e["parents"] and "ul.toc-sections" not in e["parents"]
    ]
    return [e["attrs"]["href"] for e in sidebar]


def _text(element: dict) -> str:
    return " ".join(element["text"].split())


# ---- navigation -----------------------------------------------------------------------------


def test_sidebar_on_every_page_lists_every_chapter_once_and_marks_the_current_one(pages, order):
    from bookbuild.config.project import load_book

    expected = [Path(ref.path).with_suffix(".html").name for ref in load_book(FIXTURE).chapters]
    assert [p for p in order if p in expected] == expected
    assert set(order) == set(pages)
    for name, page in pages.items():
        listed = [
            e["attrs"]["href"]
            for e in page.find("a")
            if "nav.sidebar" in e["parents"] and "ul.toc-sections" not in e["parents"]
        ]
        assert listed == order, name
        current = page.find("a", aria_current="page")
        assert [e["attrs"]["href"] for e in current] == [name]


def test_current_chapter_lists_its_own_sections_in_the_sidebar(pages):
    page = pages["01-data.html"]
    sections = [e for e in page.find("a") if "ul.toc-sections" in e["parents"]]
    assert [(e["attrs"]["href"], _text(e)) for e in sections] == [
        ("#sec-figures", "1.1 Figures"),
        ("#sec-tables", "1.2 Tables"),
    ]
    assert all(e["attrs"]["href"][1:] in page.ids for e in sections)


def test_previous_and_next_links_follow_the_reading_order(pages, order):
    for position, name in enumerate(order):
        page = pages[name]
        prev = [e["attrs"]["href"] for e in page.find("a", rel="prev")]
        nxt = [e["attrs"]["href"] for e in page.find("a", rel="next")]
        assert prev == ([order[position - 1]] if position else [])
        assert nxt == ([order[position + 1]] if position + 1 < len(order) else [])
        heads = [e["attrs"]["href"] for e in page.find("link", rel="next")]
        assert heads == nxt


def test_every_page_has_a_skip_link_to_its_main_content_and_a_search_box(pages):
    for name, page in pages.items():
        skip = page.find("a", cls="skip-link")
        assert skip and skip[0]["attrs"]["href"] == "#content", name
        assert page.find("main", id="content"), name
        assert page.find("input", id="search-input", type="search"), name
        assert page.find("label", for_="search-input"), name


# ---- the text -------------------------------------------------------------------------------


def test_headings_carry_the_numbers_of_the_book(pages):
    def numbered(page: Page, tag: str) -> list[str]:
        return [_text(e) for e in page.find(tag)]

    assert numbered(pages["01-data.html"], "h1") == ["1 Data and results"]
    assert numbered(pages["01-data.html"], "h2") == ["1.1 Figures", "1.2 Tables"]
    prose = numbered(pages["02-prose.html"], "h2")
    assert "An unnumbered aside" in prose
    assert "2.1 A numbered section" in prose
    assert numbered(pages["a-extra.html"], "h1") == ["A Extra material"]
    assert numbered(pages["index.html"], "h1") == ["Preface"]


def test_every_heading_has_an_id_unique_on_its_page(pages):
    for name, page in pages.items():
        headings = [
            e
            for e in page.elements
            if re.fullmatch(r"h[1-6]", e["tag"]) and "nav.page-toc" not in e["parents"]
        ]
        # a section's heading names the section's id (Quarto's data-anchor-id)
        ids = [e["attrs"].get("id") or e["attrs"].get("data-anchor-id") for e in headings]
        assert all(ids), f"{name}: a heading without id"
        assert len(ids) == len(set(ids)), name
        assert set(ids) <= set(page.ids), name
    assert "an-unnumbered-aside" in pages["02-prose.html"].ids


def test_every_internal_link_and_cross_reference_resolves(pages, edition):
    problems = []
    xrefs = 0
    for name, page in pages.items():
        for element in page.find("a") + page.find("link"):
            href = element["attrs"].get("href", "")
            if href.startswith(("http:", "https:", "mailto:")) or not href:
                continue
            target, fragment = urldefrag(href)
            target = unquote(target) or name
            if not target.endswith(".html"):
                if not (edition / target).is_file():
                    problems.append(f"{name}: {href} (no file)")
                continue
            if target not in pages:
                problems.append(f"{name}: {href} (no page)")
            elif fragment and unquote(fragment) not in pages[target].ids:
                problems.append(f"{name}: {href} (no id)")
            xrefs += "quarto-xref" in element["attrs"].get("class", "")
    assert problems == []
    assert xrefs >= 6  # the fixture refers to figures, tables, sections and an equation


def test_cross_references_from_another_chapter_point_at_the_right_page(pages):
    links = {
        _text(e): e["attrs"]["href"] for e in pages["02-prose.html"].find("a", cls="quarto-xref")
    }
    assert links["Figure 1.1"] == "01-data.html#fig-income"
    assert links["Section 1.1"] == "01-data.html#sec-figures"
    assert links["Chapter 1"] == "01-data.html#sec-data"


def test_citations_link_to_their_entry_on_the_references_page(pages):
    references = pages["references.html"]
    cited = 0
    for name, page in pages.items():
        for span in page.find("span", cls="citation"):
            keys = span["attrs"]["data-cites"].split()
            links = [
                e["attrs"]["href"]
                for e in page.elements
                if e["tag"] == "a"
                and e in page.elements
                and any(p.startswith("span.citation") for p in e["parents"])
            ]
            for key in keys:
                assert f"references.html#ref-{key}" in links, (name, key)
                assert f"ref-{key}" in references.ids
                cited += 1
    assert cited >= 2


def test_footnotes_link_both_ways(pages):
    page = pages["02-prose.html"]
    refs = page.find("a", cls="footnote-ref")
    assert refs
    for ref in refs:
        note = ref["attrs"]["href"][1:]
        assert note in page.ids
        back = [
            e
            for e in page.find("a", cls="footnote-back")
            if e["attrs"]["href"] == "#" + ref["attrs"]["id"]
        ]
        assert back


def test_figures_are_svg_files_with_alt_text_and_a_numbered_caption(pages, edition):
    figures = pages["01-data.html"].find("figure")
    assert figures
    for page in pages.values():
        for image in page.find("img"):
            assert image["attrs"].get("alt", "").strip(), image
            assert (edition / image["attrs"]["src"]).is_file()
    image = pages["01-data.html"].find("img")[0]
    assert image["attrs"]["src"].endswith(".svg")
    assert image["attrs"]["alt"].startswith("A line rising")
    caption = pages["01-data.html"].find("figcaption")[0]
    assert _text(caption) == "Figure 1.1: Income by year"


def test_tables_sit_in_a_box_that_scrolls_sideways(pages):
    for name, page in pages.items():
        for table in page.find("table"):
            assert "div.table-wrap" in table["parents"], name


def test_chinese_spans_keep_their_language(pages):
    spans = pages["index.html"].find("span", lang="zh")
    assert [_text(s) for s in spans] == ["兰考县"]
    assert pages["index.html"].find("html", lang="en")


def test_program_output_with_markup_is_shown_as_text(edition, pages):
    source = (FIXTURE / "chapters" / "01-data.qmd").read_text("utf-8")
    assert "<script>alert(1)</script>" in source  # the fixture prints markup
    text = (edition / "01-data.html").read_text("utf-8")
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    scripts = [e["attrs"].get("src") for e in pages["01-data.html"].find("script")]
    assert all(src and src.startswith("assets/") for src in scripts)


# ---- assets ---------------------------------------------------------------------------------


def test_every_asset_is_inside_the_edition(pages, edition):
    for name, page in pages.items():
        for element in page.elements:
            for attr in ("src", "href"):
                value = element["attrs"].get(attr, "")
                if element["tag"] == "a" or not value:
                    continue
                assert not re.match(r"^([a-z]+:)?//", value), f"{name}: {value}"
                assert (edition / urldefrag(value)[0]).is_file(), f"{name}: {value}"
    for path in (edition / "assets").rglob("*.css"):
        css = path.read_text("utf-8")
        assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_the_search_library_is_copied_from_node_modules_with_its_licence(edition):
    package = REPO / "node_modules" / "minisearch"
    vendored = edition / "assets" / "vendor" / "minisearch.js"
    assert vendored.read_bytes() == (package / "dist" / "umd" / "index.js").read_bytes()
    assert "MIT" in (edition / "assets" / "vendor" / "minisearch.LICENSE.txt").read_text()
    lock = json.loads((REPO / "package-lock.json").read_text())
    installed = json.loads((package / "package.json").read_text())["version"]
    assert lock["packages"]["node_modules/minisearch"]["version"] == installed


def test_a_missing_search_library_stops_the_build_and_says_to_run_make(tmp_path, monkeypatch):
    monkeypatch.setattr(book_html, "PACKAGE_DIR", tmp_path / "pkg" / "bookbuild")
    with pytest.raises(BuildError, match=r"run `make`.*npm ci"):
        book_html.find_npm_package("minisearch", tmp_path / "book")


def test_a_search_library_other_than_the_locked_one_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(book_html, "PACKAGE_DIR", tmp_path / "elsewhere" / "bookbuild")
    package = tmp_path / "node_modules" / "minisearch"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "6.0.0"}')
    (tmp_path / "package-lock.json").write_text(
        '{"packages": {"node_modules/minisearch": {"version": "7.2.0"}}}'
    )
    with pytest.raises(BuildError, match=r"6\.0\.0.*pins 7\.2\.0"):
        book_html.find_npm_package("minisearch", tmp_path / "book")


# ---- search documents -----------------------------------------------------------------------


def _documents(edition: Path) -> list[dict]:
    script = (edition / "assets" / "search-index.js").read_text("utf-8")
    prefix = f"window.{search.GLOBAL_NAME} = "
    body = script[script.index(prefix) + len(prefix) :].rstrip().removesuffix(";")
    return json.loads(body)


def test_search_has_one_document_per_section_linking_to_its_heading(edition, pages):
    documents = _documents(edition)
    for document in documents:
        page, fragment = urldefrag(document["url"])
        assert page in pages
        assert not fragment or fragment in pages[page].ids
    data = [d for d in documents if d["page"] == "01-data.html"]
    assert [d["section"] for d in data] == ["1 Data and results", "1.1 Figures", "1.2 Tables"]
    assert "Income grew 2.84 times" in data[0]["text"]
    assert "A line rising" in data[1]["text"]  # alt text is searchable
    assert "made up for the test" in data[2]["text"]  # so are callouts
    headings = sum(
        len(
            [
                e
                for e in p.elements
                if e["tag"] in ("h1", "h2", "h3") and "nav.page-toc" not in e["parents"]
            ]
        )
        for p in pages.values()
    )
    assert len(documents) == headings


def test_search_script_cannot_be_broken_by_text_in_the_book(edition):
    script = (edition / "assets" / "search-index.js").read_text("utf-8")
    assert "<" not in script and ">" not in script
    assert "\\u003cscript\\u003e" not in script  # program output is not indexed
    tricky = [{"text": "a </script><b>bold</b> & \u2028 line"}]
    out = search.index_script(tricky)
    assert "<" not in out and "\u2028" not in out
    decoded = json.loads(out.split(" = ", 1)[1].rstrip().removesuffix(";"))
    assert decoded == tricky


def test_plain_text_keeps_words_apart_and_leaves_code_out():
    blocks = [
        {"t": "Para", "c": [Str("one"), {"t": "Space"}, Str("two")]},
        {"t": "CodeBlock", "c": [["", [], []], "print('x')"]},
        {
            "t": "BulletList",
            "c": [[{"t": "Plain", "c": [Str("three")]}], [{"t": "Plain", "c": [Str("four")]}]],
        },
        {"t": "Para", "c": [{"t": "Math", "c": [{"t": "InlineMath"}, "x^2"]}, Str("five")]},
    ]
    assert search.plain_text(blocks) == "one two three four five"


# ---- helpers on small inputs ----------------------------------------------------------------


def _chapter(title: str, number: str | None = "1", page: str = "c.html") -> Chapter:
    return Chapter(
        path=Path("c.qmd"),
        page=page,
        appendix=False,
        part="<Part & 1>",
        source="",
        blocks=[],
        number=number,
        title=title,
        title_id="sec-c",
    )


def test_titles_from_the_book_are_escaped_in_the_sidebar_and_pager():
    chapters = [_chapter("<b>Bold</b> & co", page="a.html"), _chapter("Two", "2", "b.html")]
    side = book_html.sidebar(chapters, "b.html")
    assert "<b>" not in side and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in side
    assert "&lt;Part &amp; 1&gt;" in side
    assert "&lt;b&gt;" in book_html.pager(chapters, 1)


def test_unlabelled_headings_get_unique_ids_and_labelled_ones_keep_theirs():
    def header(ident: str, text: str) -> dict:
        return {"t": "Header", "c": [2, [ident, [], []], [Str(text)]]}

    blocks = [
        header("sec-a", "Aims"),
        header("", "Aims"),
        header("", "Aims"),
        Div("", ["callout-note"], [header("", "Inside")]),
    ]
    out = book_html.with_header_ids(blocks)
    ids = [b["c"][1][0] for b in out[:3]]
    assert ids == ["sec-a", "aims", "aims-1"]
    assert out[3]["c"][1][0]["c"][1][0] == "inside"
    assert blocks[1]["c"][1][0] == ""  # the input is left alone


def test_on_this_page_appears_only_for_chapters_with_several_sections():
    def header(level: int, ident: str) -> dict:
        return {
            "t": "Header",
            "c": [
                level,
                [ident, [], []],
                [Span("", ["header-section-number"], [Str("1.1")]), {"t": "Space"}, Str(ident)],
            ],
        }

    assert book_html.page_toc([header(2, "a"), header(2, "b")]) == ""
    toc = book_html.page_toc([header(2, "a"), header(3, "b"), header(2, "c")])
    assert toc.count("<li") == 3
    assert '<li class="level-3"><a href="#b">1.1 b</a></li>' in toc


# ---- preview --------------------------------------------------------------------------------


def test_snapshot_sees_edits_and_new_files_but_not_the_builds_own_output(tmp_path):
    from bookbuild.commands.preview import changed, snapshot

    (tmp_path / "chapters").mkdir()
    source = tmp_path / "chapters" / "a.qmd"
    source.write_text("# A\n")
    for ignored in ("_book", "_freeze", ".git"):
        (tmp_path / ignored).mkdir()
    before = snapshot([tmp_path])
    assert list(before) == [source]
    (tmp_path / "_book" / "a.html").write_text("x")
    (tmp_path / ".git" / "index").write_text("x")
    assert changed(before, snapshot([tmp_path])) == []
    source.write_text("# A, longer\n")
    (tmp_path / "new.qmd").write_text("# B\n")
    assert changed(before, snapshot([tmp_path])) == [source, tmp_path / "new.qmd"]


@pytest.mark.slow
def test_preview_serves_the_edition_and_rebuilds_it_when_a_chapter_changes(tmp_path):
    import threading
    import time
    import urllib.request

    from bookbuild.commands.preview import preview

    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Preview\n  chapters:\n"
        "    - index.qmd\n    - chapters/one.qmd\n",
        "utf-8",
    )
    (root / "index.qmd").write_text(
        "# Preface {.unnumbered}\n\nThis book tests the build.\n", "utf-8"
    )
    (root / "chapters" / "one.qmd").write_text("# One\n\nProse only.\n", "utf-8")
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=preview,
        kwargs={"root": root, "port": 0, "interval": 0.2, "stop": stop, "log": lines.append},
    )
    thread.start()

    def wait_for(word: str, count: int) -> None:
        deadline = time.monotonic() + 90
        while sum(word in line for line in lines) < count:
            assert thread.is_alive() and time.monotonic() < deadline, lines
            time.sleep(0.1)

    try:
        wait_for("serving", 1)
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[-1])[0]
        assert url.startswith("http://127.0.0.1:")
        first = urllib.request.urlopen(url + "index.html", timeout=10).read().decode()
        assert "This book tests the build." in first
        index = root / "index.qmd"
        index.write_text(
            index.read_text("utf-8").replace(
                "This book tests the build.", "This book tests the preview."
            ),
            "utf-8",
        )
        wait_for("rebuilt", 2)
        second = urllib.request.urlopen(url + "index.html", timeout=10).read().decode()
        assert "This book tests the preview." in second
        assert any(line.startswith("changed: index.qmd") for line in lines)
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_bibliography_weighs_less_in_search_than_the_chapters(edition):
    weights = {d["page"]: d.get("weight", 1) for d in _documents(edition)}
    assert weights["references.html"] == search.BIBLIOGRAPHY_WEIGHT < 1
    assert weights["01-data.html"] == weights["a-extra.html"] == 1


def test_automatic_ids_are_pandocs():
    def title(*inlines: dict) -> str:
        return book_html.auto_identifier(list(inlines))

    number = {"t": "Span", "c": [["", ["header-section-number"], []], [Str("2.1")]]}
    note = {"t": "Note", "c": [{"t": "Para", "c": [Str("aside")]}]}
    assert title(number, {"t": "Space"}, Str("Plots"), {"t": "Space"}, Str("(2024)!")) == (
        "plots-2024"
    )
    assert title(Str("1.5"), {"t": "Space"}, Str("Why_not.this?"), note) == "why_not.this"
    assert title(Str("中文摘要")) == "中文摘要"
    assert title(Str("42")) == "section"
