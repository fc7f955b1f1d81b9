"""Conformance: the `alg` theorem kind and the book's own float kinds (`crossref: custom:`),
in `tests/conformance/kinds-book/`, as Quarto's smoke documents `crossrefs/theorem/algorithm.qmd`
and `crossrefs/float/latex/latex-custom-categories.qmd` use them.

An algorithm is titled "Algorithm 1.1 (Euclid)" and referenced "alg. 1.1" ("Alg. 1.1" for
`@Alg-x`), Quarto's default for a kind it gives no reference name. A custom kind (`dia` in
`_quarto.yml`, `supptbl` in a chapter's front matter) numbers `::: {#dia-x}` divs as floats,
in Quarto's markup, each edition numbering those it shows; a bad entry stops the build at
its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text, run, run_process
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
BOOK = HERE / "kinds-book"

pytestmark = [
    pytest.mark.slow,  # builds a three-chapter book twice, into both editions
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils needed"),
]


def _build(root: Path) -> Path:
    result = run_process(root, "build", "--quiet")
    assert result.code == 0, result.err
    return root / "_book"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kinds") / "book"
    shutil.copytree(BOOK, root)
    return _build(root)


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    text = pdf_text(book / "thesis.pdf").replace("\u00a0", " ")
    return text[text.index("CHAPTER 1") :]


def _article(book: Path, name: str):
    return BeautifulSoup((book / name).read_text("utf-8"), "html.parser").article


def _text(element) -> str:
    return " ".join(element.get_text().replace("\u00a0", " ").split())


def _refs(book: Path, name: str) -> list[tuple[str, str]]:
    return [(_text(a), a["href"]) for a in _article(book, name).select("a.quarto-xref")]


def test_an_algorithm_is_a_numbered_theorem(book: Path):
    article = _article(book, "algorithms.html")
    gcd = article.find("div", id="alg-gcd")
    assert gcd["class"] == ["theorem", "algorithm"]
    assert _text(gcd.find("span", class_="theorem-title")) == "Algorithm 1.1 (Euclid)"
    assert "return gcd(b, a mod b)" in gcd.find("pre").get_text()
    assert not article.find("h2")  # the heading is the algorithm's name, not a section
    sieve = article.find("div", id="alg-sieve")
    assert _text(sieve.find("span", class_="theorem-title")) == "Algorithm 1.2"
    assert article.find("div", id="lem-bound")["class"] == ["theorem", "lemma"]


def test_references_to_algorithms_use_quartos_prefix(book: Path):
    assert _refs(book, "algorithms.html") == [
        ("alg. 1.1", "#alg-gcd"),
        ("Alg. 1.1", "#alg-gcd"),
        ("1.2", "#alg-sieve"),
        ("Lemma 1.1", "#lem-bound"),
        ("Diagram 2.1", "diagrams.html#dia-flow"),
    ]


def test_algorithms_in_the_pdf(pdf: str):
    for expected in (
        "Algorithm 1.1 (Euclid) gcd(a, b) =",
        "Algorithm 1.2 Cross out the multiples of each prime in turn.",
        "See alg. 1.1. Alg. 1.1 has been known since antiquity; 1.2 is the sieve, by Lemma 1.1. "
        "The flow is drawn in Diagram 2.1.",
    ):
        assert expected in pdf, expected


def test_a_custom_kind_is_a_float_in_quartos_markup(book: Path):
    article = _article(book, "diagrams.html")
    flow = article.find("div", id="dia-flow")
    assert flow["class"] == ["quarto-float", "quarto-figure", "quarto-figure-center", "anchored"]
    figure = flow.find("figure")
    assert figure["class"] == ["quarto-float", "quarto-float-dia", "figure"]
    caption = figure.find("figcaption")
    assert caption["class"] == [
        "quarto-float-caption-bottom",
        "quarto-float-caption",
        "quarto-float-dia",
    ]
    assert _text(caption) == "Diagram 2.1: The flow of Euclid’s algorithm."
    assert figure.find("p").find_next_sibling("figcaption") is caption  # below the content
    boxes = article.find("div", id="dia-boxes")
    assert _text(boxes.find("figcaption")) == "Diagram 2.2: Boxes in a row."  # dia-cap
    assert "dia-cap" not in str(boxes) and "custom-float" not in str(article)


def test_a_chapters_own_kind_with_its_options(book: Path):
    letters = _article(book, "diagrams.html").find("div", id="supptbl-letters")
    figure = letters.find("figure")
    assert figure["class"] == ["quarto-float", "quarto-float-supptbl", "figure"]
    caption = figure.find("figcaption")
    assert "quarto-float-caption-top" in caption["class"]
    assert caption.find_next_sibling().find("table") is not None  # caption-location: top
    # caption-prefix in the caption, no space before the number
    assert _text(caption) == "Supplementary Table S2.1: Letters and their places."


def test_references_to_custom_kinds(book: Path):
    assert _refs(book, "diagrams.html") == [
        ("Diagram 2.1", "#dia-flow"),
        ("Diagram 2.2", "#dia-boxes"),
        ("2.2", "#dia-boxes"),
        ("Table S2.1", "#supptbl-letters"),  # reference-prefix, space-before-numbering: false
        ("Table S2.1", "#supptbl-letters"),
        ("alg. 1.1", "algorithms.html#alg-gcd"),
        ("Diagram 2.4", "#dia-last"),  # after the web edition's own diagram, 2.3
    ]


def test_custom_kinds_in_the_pdf(pdf: str, book: Path):
    for expected in (
        "Start, then loop until the remainder is zero. Diagram 2.1: The flow of Euclid’s "
        "algorithm.",
        "Three boxes side by side. Diagram 2.2: Boxes in a row.",
        "Supplementary Table S2.1: Letters and their places. Letter Place a 1 b 2",
        "See Diagram 2.1, Diagram 2.2, 2.2, Table S2.1 and Table S2.1; back to alg. 1.1.",
        # the PDF has no web-only diagram: each edition numbers what it shows
        "The last boxes. Diagram 2.3: The last diagram. The last is Diagram 2.3.",
    ):
        assert expected in pdf, expected
    whole = pdf_text(book / "thesis.pdf")
    lists = whole[whole.index("List of Figures") : whole.index("CHAPTER 1")]
    assert "Diagram" not in lists and "Letters" not in lists  # in neither list
    assert "Shown on the web only" not in pdf


def test_each_edition_numbers_the_custom_floats_it_shows(book: Path):
    article = _article(book, "diagrams.html")
    assert _text(article.find("div", id="dia-web").find("figcaption")) == (
        "Diagram 2.3: A diagram of the web edition."
    )
    assert _text(article.find("div", id="dia-last").find("figcaption")) == (
        "Diagram 2.4: The last diagram."
    )


def test_latex_only_keys_change_nothing(book: Path, pdf: str, tmp_path: Path):
    root = tmp_path / "book"
    shutil.copytree(BOOK, root)
    for name in ("_quarto.yml", "diagrams.qmd"):
        text = (root / name).read_text("utf-8")
        lines = [line for line in text.splitlines(keepends=True) if "latex-" not in line]
        (root / name).write_text("".join(lines), "utf-8")
    plain = _build(root)
    for page in ("algorithms.html", "diagrams.html"):
        assert (plain / page).read_bytes() == (book / page).read_bytes(), page
    text = pdf_text(plain / "thesis.pdf").replace("\u00a0", " ")
    assert (
        text[text.index("CHAPTER 1") : text.index("Colophon", text.index("CHAPTER 1"))]
        == (pdf[: pdf.index("Colophon")])
    )


CONFIG = """\
project:
  type: book
book:
  title: "Bad"
  chapters:
    - index.qmd
crossref:
  custom:
    - kind: float
      key: dia
      reference-prefix: Diagram
{more}format:
  html: {{}}
"""


def _fails(tmp_path: Path, words: tuple[str, ...], more: str = "", front: str = "") -> None:
    root = tmp_path / "bad"
    root.mkdir()
    (root / "_quarto.yml").write_text(CONFIG.format(more=more), "utf-8")
    chapter = f"---\n{front}---\n\n# One\n\nText.\n" if front else "# One\n\nText.\n"
    (root / "index.qmd").write_text(chapter, "utf-8")
    result = run(root, "build", "--to", "html", "--quiet")
    assert result.code == 1, result.err
    line = next(x for x in result.err.splitlines() if x.startswith("error: "))
    assert "Traceback" not in result.err
    for word in words:
        assert word in line, (word, result.err)


@pytest.mark.parametrize(
    ("more", "words"),
    [
        (
            "    - kind: float\n      reference-prefix: Sketch\n",
            ("_quarto.yml:12: ", "crossref: custom: an entry needs 'key'"),
        ),
        (
            "    - kind: block\n      key: box\n      reference-prefix: Box\n",
            ("_quarto.yml:12: ", "kind 'block' is not supported", "kind: float"),
        ),
        (
            "    - kind: float\n      key: fig\n      reference-prefix: Picture\n",
            ("_quarto.yml:13: ", "key 'fig' is the built-in kind Figure"),
        ),
        (
            "    - kind: float\n      key: dia\n      reference-prefix: Again\n",
            ("_quarto.yml:13: ", "key 'dia' is defined twice"),
        ),
        (
            "    - kind: float\n      key: box\n      reference-prefx: Box\n",
            ("_quarto.yml:14: ", "'reference-prefx' is not an option of a custom kind"),
        ),
        (
            "    - kind: float\n      key: box\n      reference-prefix: Box\n"
            "      caption-location: left\n",
            ("_quarto.yml:15: ", "'caption-location' must be one of: top, bottom, margin"),
        ),
    ],
)
def test_a_bad_entry_in_quarto_yml_is_refused_at_its_line(tmp_path: Path, more: str, words):
    _fails(tmp_path, words, more=more)


def test_a_bad_entry_in_front_matter_is_refused_at_its_line(tmp_path: Path):
    front = "crossref:\n  custom:\n    - kind: float\n      key: tbl\n      reference-prefix: T\n"
    _fails(tmp_path, ("index.qmd:5: ", "key 'tbl' is the built-in kind Table"), front=front)


def test_a_custom_kind_takes_the_kind_options(tmp_path: Path):
    root = tmp_path / "book"
    root.mkdir()
    config = CONFIG.format(more="").replace("  custom:", "  dia-prefix: Diag.\n  custom:")
    (root / "_quarto.yml").write_text(config, "utf-8")
    chapter = "# One\n\n::: {#dia-x}\nBoxes.\n\nA caption.\n:::\n\nSee @dia-x.\n"
    (root / "index.qmd").write_text(chapter, "utf-8")
    result = run(root, "build", "--to", "html", "--quiet")
    assert result.code == 0, result.err
    html = BeautifulSoup((root / "_book" / "index.html").read_text("utf-8"), "html.parser")
    assert [_text(a) for a in html.select("a.quarto-xref")] == ["Diag. 1.1"]
    assert _text(html.find("div", id="dia-x").find("figcaption")) == "Diagram 1.1: A caption."


def test_an_unknown_label_of_a_declared_kind_is_an_unknown_reference(tmp_path: Path):
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(CONFIG.format(more=""), "utf-8")
    (root / "index.qmd").write_text("# One\n\nSee @dia-nothing.\n", "utf-8")
    result = run(root, "build", "--to", "html", "--quiet")
    assert result.code == 1
    assert "index.qmd:3: unknown cross-reference '@dia-nothing'" in result.err
