"""The smoke-all runner (`make conformance`): scope, outcomes and the results it writes,
on a small stand-in for quarto-cli's `tests/docs/smoke-all`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _runner():
    spec = importlib.util.spec_from_file_location("smoke_all", HERE / "smoke_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(tests: str, body: str, title: str = "") -> str:
    head = f"title: {title}\n" if title else ""
    return f"---\n{head}_quarto:\n  tests:\n{tests}---\n\n{body}"


HTML_P = "    html:\n      ensureHtmlElements:\n        - ['.lead']\n"
NO_P = "    html:\n      ensureHtmlElements:\n        - []\n        - ['.lead']\n"
LATEX = "    latex:\n      ensureFileRegexMatches:\n        - ['x']\n"


def test_runner_scope_outcomes_and_results(tmp_path, monkeypatch):
    smoke = tmp_path / "quarto" / "tests" / "docs" / "smoke-all"
    folder = smoke / "crossrefs"
    folder.mkdir(parents=True)
    (folder / "right.qmd").write_text(
        _doc(HTML_P, "# Right\n\n::: {.lead}\nA lead.\n:::\n"), "utf-8"
    )
    (folder / "wrong.qmd").write_text(_doc(NO_P, "# Wrong\n\n::: {.lead}\nA lead.\n:::\n"), "utf-8")
    (folder / "titled.qmd").write_text(
        _doc(HTML_P, "::: {.lead}\nA lead.\n:::\n", "Titled"), "utf-8"
    )
    (folder / "latex.qmd").write_text(_doc(LATEX, "# Latex only\n"), "utf-8")
    site = folder / "site"  # a website's folder: its _quarto.yml applies to the document
    site.mkdir()
    (site / "_quarto.yml").write_text(
        "project:\n  type: website\nwebsite:\n  site-url: https://x.org/\n"
        "  navbar:\n    left: [canonical.qmd]\n"
        "format:\n  html:\n    canonical-url: true\n  docx: default\n",
        "utf-8",
    )
    canonical = "    html:\n      ensureHtmlElements:\n        - ['link[rel=canonical]']\n"
    navbar = (
        "    html:\n      ensureHtmlElements:\n        - ['link[rel=canonical]', 'nav.navbar']\n"
    )
    (site / "canonical.qmd").write_text(_doc(navbar, "# Canonical\n"), "utf-8")
    (site / "about").mkdir()  # in a folder of the project: its _quarto.yml still applies
    (site / "about" / "deep.qmd").write_text(_doc(canonical, "# Deep\n"), "utf-8")
    (folder / "knitr.qmd").write_text(_doc(HTML_P, "# R\n\n```{r}\n1\n```\n"), "utf-8")
    (smoke / "dashboard").mkdir()
    (smoke / "dashboard" / "out.qmd").write_text(_doc(HTML_P, "# Out\n"), "utf-8")
    runner = _runner()
    assert [p.name for p in runner.documents(tmp_path / "quarto")] == [
        "right.qmd",
        "deep.qmd",
        "canonical.qmd",
        "titled.qmd",
        "wrong.qmd",
    ]
    results = tmp_path / "smoke-all.json"
    monkeypatch.setattr(runner, "RESULTS", results)
    assert runner.main([str(tmp_path / "quarto"), "--revision", "abc123", "--no-pdf"]) == 0
    data = json.loads(results.read_text("utf-8"))
    assert data["quarto"] == "abc123" and data["documents"] == 5
    assert list(data["runs"]) == ["as written"] and "pdf" not in data["runs"]["as written"]
    first = data["runs"]["as written"]["documents"]
    assert {k: v["outcome"] for k, v in first.items()} == {
        "crossrefs/right.qmd": "right",
        "crossrefs/site/about/deep.qmd": "right",  # the project's site-url, canonical-url
        "crossrefs/site/canonical.qmd": "ignored, warned",
        "crossrefs/titled.qmd": "right",  # its title: is its chapter heading
        "crossrefs/wrong.qmd": "silently wrong",
    }
    # the folder's options reached the build, which said what it ignores
    said = first["crossrefs/site/canonical.qmd"]["detail"]
    assert "Quarto's assertions fail: nav.navbar" in said
    assert "book option 'navbar' is ignored by this build" in said


def test_patterns_with_custom_prefixes_delimiters_and_letters_read_as_chapter_one():
    import re

    as_chapter_one = _runner().as_chapter_one
    assert re.search(as_chapter_one("Figure&nbsp;1— Elephant"), "Figure&nbsp;1.1— Elephant")
    assert re.search(as_chapter_one("See T.&nbsp;1."), "See T.\u00a01.1.")
    assert re.search(as_chapter_one("Figure&nbsp;x: Elephant"), "Figure&nbsp;1.x: Elephant")
    assert not re.search(as_chapter_one("See F.&nbsp;1."), "See F.&nbsp;1.")


def test_a_held_out_sample_of_the_dated_folders_is_a_second_run(tmp_path, monkeypatch):
    smoke = tmp_path / "quarto" / "tests" / "docs" / "smoke-all"
    (smoke / "crossrefs").mkdir(parents=True)
    (smoke / "crossrefs" / "right.qmd").write_text(
        _doc(HTML_P, "# Right\n\n::: {.lead}\nA lead.\n:::\n"), "utf-8"
    )
    for day in ("01", "02", "03", "04"):
        folder = smoke / "2024" / "05" / day
        folder.mkdir(parents=True)
        (folder / f"issue-{day}.qmd").write_text(
            _doc(HTML_P, f"# Issue {day}\n\n::: {{.lead}}\nA lead.\n:::\n"), "utf-8"
        )
    (smoke / "2024" / "05" / "04" / "latex.qmd").write_text(_doc(LATEX, "# L\n"), "utf-8")
    (smoke / "crossrefs" / "2024").mkdir()  # a year folder below a feature folder: not dated
    (smoke / "crossrefs" / "2024" / "x.qmd").write_text(
        _doc(HTML_P, "# X\n\n::: {.lead}\nA lead.\n:::\n"), "utf-8"
    )
    runner = _runner()
    quarto = tmp_path / "quarto"
    sample = runner.held_out(quarto, 2, 7)
    assert sample == runner.held_out(quarto, 2, 7)  # the seed decides it
    assert len(sample) == 2 and all(p.parts[-4] == "2024" for p in sample)
    assert len(runner.held_out(quarto, 40, 7)) == 4  # no more than there are in scope
    results = tmp_path / "smoke-all.json"
    monkeypatch.setattr(runner, "RESULTS", results)
    assert runner.main([str(quarto), "--held-out", "2", "--seed", "7"]) == 0
    data = json.loads(results.read_text("utf-8"))
    assert list(data["runs"]) == ["as written", "held-out"] and data["documents"] == 2
    held = data["runs"]["held-out"]
    assert (held["seed"], held["n"], held["counts"]["right"]) == (7, 2, 2)
    assert sorted(held["documents"]) == sorted(str(p.relative_to(smoke)) for p in sample)
    # each document that built in HTML was built as a PDF too, and judged against it
    assert held["pdf"]["counts"]["right"] == 2 and sorted(held["pdf"]["documents"]) == sorted(
        held["documents"]
    )
    assert data["runs"]["as written"]["pdf"]["documents"] == {
        name: {"outcome": "right", "detail": ""}
        for name in ("crossrefs/2024/x.qmd", "crossrefs/right.qmd")
    }

    spec = importlib.util.spec_from_file_location(
        "quarto_support", HERE.parents[1] / "scripts" / "quarto_support.py"
    )
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    monkeypatch.setattr(support, "RESULTS", results)
    text = "\n".join(support._conformance())
    assert "| outcome | as written (2 documents) | held-out (2 documents, seed 7) |" in text
    assert "| right | 2 | 2 |" in text
    assert "Why documents stopped (held-out): none." in text
    assert "| PDF outcome | as written (2 built in HTML) | held-out (2 built in HTML) |" in text
    assert "| right | 2 | 2 |" in text and "Why PDFs stopped (held-out): none." in text


def test_a_document_that_renders_its_project_is_built_with_the_book_s_chapters(tmp_path):
    smoke = tmp_path / "quarto" / "tests" / "docs" / "smoke-all"
    book = smoke / "2024" / "01" / "01" / "whole"
    book.mkdir(parents=True)
    (book / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: B\n  chapters:\n    - index.qmd\n    - two.qmd\n",
        "utf-8",
    )
    test = "    html:\n      ensureHtmlElements:\n        - ['a.quarto-xref']\n"
    (book / "index.qmd").write_text(
        "---\n_quarto:\n  render-project: true\n  tests:\n" + test + "---\n\n# Preface\n\n"
        "See @fig-one.\n",
        "utf-8",
    )
    (book / "two.qmd").write_text("# Two\n\n![One](one.png){#fig-one}\n", "utf-8")
    runner = _runner()
    (book / "one.png").write_bytes(runner.placeholder(".png"))
    assert runner.judge(book / "index.qmd", "html", 120, smoke) == ("right", "", None)


def test_the_pdf_judge_reads_words_leaks_and_what_the_pdf_rightly_lacks():
    runner = _runner()
    html = (
        "<main><article><h1>Fish</h1><p>The “ﬁne” river-bank.<a class='footnote-ref'>7</a></p>"
        "<ul class='nav-tabs'><li>Tab Button</li></ul><div class='tab-pane'>Pane text</div>"
        "<p>Web only words</p><p><math><mi>zeta</mi></math> code <code>{{&lt; x &gt;}}</code>"
        "</p></article></main>"
    )
    source = '# Fish\n\n::: {.content-visible when-format="html"}\nWeb only words\n:::\n'
    pdf = 'CHAPTER 1\nFish\nThe "fine" river-\nbank.\nPane text\n code {{< x >}}\n'
    assert runner.pdf_differences(html, pdf, source) == []
    # `pdf` is LaTeX's name, not Typst's; a key given twice matches if any value does
    for condition, excused in (
        ('when-format="html" when-format="pdf"', True),
        ('when-format="html" when-format="typst"', False),
    ):
        twice = source.replace('when-format="html"', condition)
        assert (runner.pdf_differences(html, pdf, twice) == []) == excused
    # a word gone, and syntax shown that the HTML does not show
    wrong = pdf.replace("Pane text", "Pane ::: {#fig-x}")
    found = runner.pdf_differences(html, wrong, source)
    assert [f.split(" (")[0] for f in found] == [
        "missing 1 word(s): text",
        "shows fenced div",
        "shows attributes",
    ]
    assert "Pane ::: {#fig-x}" in found[1]  # the detail shows where
    # without the source's condition, the HTML-only words are missing from the PDF
    assert runner.pdf_differences(html, pdf, "# Fish\n") == ["missing 3 word(s): only web words"]
    # a raw HTML table is not excused: Quarto shows it in every format
    table = "```{=html}\n<table><tr><td>Web only words</td></tr></table>\n```\n"
    assert runner.pdf_differences(html, pdf, table) == ["missing 3 word(s): only web words"]
    # a footnote's entry: its number glued to the first word by pdftotext
    note = "<article><p>Body.<a class='footnote-ref'>1</a></p><p>Why not.</p></article>"
    assert runner.pdf_differences(note, "Body.1\n\n  1Why not.\n", "") == []
