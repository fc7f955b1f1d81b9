"""`language:` (Quarto's localisation keys) replaces the words the build prints: callout
titles, cross-reference names, the contents' titles, a proof's title; from `_quarto.yml` (a
file's name here) and a chapter's front matter (over the book's), `crossref:` winning."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.bookbuild_helpers import pdf_text, run

CONFIG = """project:
  type: book
book:
  title: Words
  chapters:
    - index.qmd
    - words.qmd
lang: de
language: {language}
crossref:
  tbl-prefix: Tab.
format:
  html: {{}}
  typst: {{}}
"""
CUSTOM = """crossref-tbl-prefix: Tabelle
crossref-ch-prefix: Kapitel
crossref-lof-title: Abbildungsverzeichnis
toc-title-document: Inhaltsverzeichnis
callout-note-title: Hinweis
code-summary: Quelltext
de:
  callout-caution-title: Vorsicht
fr:
  callout-caution-title: Attention
"""
WORDS = """---
language:
  callout-tip-title: Tipp
  crossref-tip-prefix: Rat
  crossref-tip-title: Ratschlag
  environment-proof-title: Beweis
  toc-title-website: Auf dieser Seite
---

# Words {#sec-words}

## One

::: {.callout-note}
Plain.
:::

::: {.callout-tip}
Untitled tip.
:::

::: {#tip-a .callout-tip}
A numbered tip.
:::

::: {.callout-caution}
Careful.
:::

See @tip-a and @tbl-x.

## Two

::: {.proof}
Obvious.
:::

| a | b |
|---|---|
| 1 | 2 |

: Numbers {#tbl-x}

## Three

```{python}
#| eval: false
#| code-fold: true
x = 1
```
"""


def _book(root: Path, language: str = "custom.yml", words: str = WORDS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(CONFIG.format(language=language), "utf-8")
    (root / "custom.yml").write_text(CUSTOM, "utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nSee @sec-words.\n", "utf-8")
    (root / "words.qmd").write_text(words, "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _book(tmp_path_factory.mktemp("language") / "book")
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def _page(root: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_book" / name).read_text("utf-8"), "html.parser")


def test_html_words(built):
    page = _page(built, "words.html")
    titles = [t.get_text(strip=True) for t in page.select(".callout-title")]
    # the book's file (note), the chapter's own (tip), its number's title, `de:` of the file
    assert titles == ["Hinweis", "Tipp", "Ratschlag\u00a01.1", "Vorsicht"]
    links = {a["href"]: a.get_text() for a in page.select("a[href^='#']")}
    assert links["#tip-a"] == "Rat\u00a01.1"
    assert links["#tbl-x"] == "Tab.\u00a01.1"  # `crossref: tbl-prefix` over the language's
    assert page.select_one("#page-toc-title").get_text() == "Auf dieser Seite"
    assert page.select_one(".proof-title").get_text() == "Beweis."
    assert page.select_one("details > summary").get_text() == "Quelltext"  # code-summary
    index = _page(built, "index.html")
    assert "Kapitel\u00a01" in [a.get_text() for a in index.select("a[href^='words.html']")]


def test_pdf_words(built):
    text = pdf_text(built / "_book" / "thesis.pdf")
    for word in ("Inhaltsverzeichnis", "Abbildungsverzeichnis", "Hinweis", "Tipp", "Vorsicht"):
        assert word in text
    assert "Ratschlag 1.1" in text and "See Rat 1.1 and Tab. 1.1." in text
    assert "Beweis. Obvious." in text and "See Kapitel 1." in text
    assert "List of Tables" in text  # not given: the template's own


def test_unknown_key_is_an_error(tmp_path):
    root = _book(tmp_path / "book", "\n  callout-tip-titel: Tipp")
    result = run(root, "build")
    assert result.code != 0
    assert "_quarto.yml:10: language: 'callout-tip-titel' is not a Quarto language key" in (
        result.err
    )
    assert "did you mean 'callout-tip-title'" in result.err


def test_unprinted_key_is_warned_about(tmp_path, caplog):
    words = WORDS.replace("  callout-tip-title: Tipp\n", "  back-to-top: Nach oben\n")
    root = _book(tmp_path / "book", words=words)
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "words.qmd:3: language key 'back-to-top' is ignored" in caplog.text
