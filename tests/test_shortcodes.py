"""Shortcodes and includes, as Quarto resolves them: a small book built once in a tmp dir, its
HTML and PDF text inspected; each error case breaks one file and checks the message names the
file and line the problem is on (through includes, the included file's own line).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text, run

from bookbuild.errors import BuildError
from bookbuild.source.includes import expand_includes
from bookbuild.source.qmd import read_qmd

pytestmark = pytest.mark.slow

CONFIG = """\
project:
  type: book
book:
  title: "Shortcode Book"
  author: "Ann Author"
  chapters:
    - index.qmd
    - chapters/one.qmd
execute:
  echo: false
"""
VARIABLES = """\
version: 2.5
org:
  name: "Lankao *Institute*"
  dotted.key: "with a dot"
"""
INDEX = """\
# Preface {.unnumbered}

Book: {{< meta book.title >}}. Version {{< var version >}} of {{< var org.name >}}.
Dotted: {{< var org.dotted\\.key >}}. Home {{< env SC_TEST_UNSET_VAR fallback-home >}}.
Literal {{{< meta title >}}} stays.

Press {{< kbd Shift-Ctrl-P mac=Shift-Command-P >}} to print.
Quit with {{< kbd mac=Command-Q win=Alt-F4 >}}.
Copy {{< kbd Ctrl-C >}}(and paste) [{{< kbd Ctrl-V >}}].

{{< pagebreak >}}

After the break.

<!-- {{< include _draft.qmd >}} -->

<!--
A commented-out {{< nope >}} and {{< meta missing >}}.
-->

In a code span: `{{< var version >}}`, escaped `{{{< var version >}}}`, unknown `{{< video x >}}`.

```markdown
In a code block: {{< var version >}} and {{< video y >}}
```

```{.markdown shortcodes="false"}
Untouched: {{< var version >}}
```

```{shortcodes=false}
Attributes alone, no engine: {{< include parts/_a.qmd >}}
```
"""
ONE = """\
# One {#sec-one}

Before the include.

{{< include parts/_a.qmd >}}

After the include.
"""
PART_A = """\
Text of part A, which includes part B from the chapter's folder.

{{< include parts/_b.qmd >}}
"""
PART_B = """\
Text of part B quoting {{< meta book.title >}}.

```{python}
#| echo: true
answer = 6 * 7  # {{< meta title >}} stays in code cells
```

The answer is `{python} answer`.

```{python}
#| label: fig-line
#| fig-cap: "A rising line"
#| fig-alt: "A line rising from left to right"
import matplotlib.pyplot as plt
plt.plot([1, 2]);
```
"""


class _Text(HTMLParser):
    """The text of `<main>`, and the elements seen there (tag, attributes, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None], str]] = []
        self.stack: list[tuple[str, dict[str, str | None], int]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.inside = True
        if self.inside and tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.append((tag, dict(attrs), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside = False
        while self.stack:
            name, attrs, start = self.stack.pop()
            self.elements.append((name, attrs, "".join(self.parts[start:])))
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def page(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    return parser


def write_book(root: Path) -> Path:
    (root / "chapters" / "parts").mkdir(parents=True)
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "_variables.yml").write_text(VARIABLES)
    (root / "index.qmd").write_text(INDEX)
    (root / "chapters" / "one.qmd").write_text(ONE)
    (root / "chapters" / "parts" / "_a.qmd").write_text(PART_A)
    (root / "chapters" / "parts" / "_b.qmd").write_text(PART_B)
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("shortcodes") / "book")
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def test_meta_var_env_and_escapes_in_prose(book: Path) -> None:
    index = page(book / "_book" / "index.html")
    assert (
        "Book: Shortcode Book. Version 2.5 of Lankao Institute. Dotted: with a dot. "
        "Home fallback-home. Literal {{< meta title >}} stays."
    ) in index.text
    # a var's value is markdown, as Quarto reads it
    assert ("em", {}, "Institute") in index.elements
    assert "{{<" not in index.text.split("Literal")[0]


def test_shortcodes_in_code_are_resolved_as_text_unknown_ones_kept(book: Path) -> None:
    index = page(book / "_book" / "index.html")
    codes = [text for tag, _attrs, text in index.elements if tag == "code"]
    assert "2.5" in codes
    assert "{{< var version >}}" in codes  # escaped: written literally
    assert "{{< video x >}}" in codes  # unknown in code: left as written
    assert "In a code block: 2.5 and {{< video y >}}" in index.text
    assert "Untouched: {{< var version >}}" in index.text
    # `{shortcodes=false}` is a code block's attributes, not a cell of engine "shortcodes"
    assert "Attributes alone, no engine: {{< include parts/_a.qmd >}}" in index.text


def test_shortcodes_in_html_comments_are_left_as_written(book: Path) -> None:
    source = (book / "_book" / "index.html").read_text("utf-8")
    assert "<!-- {{< include _draft.qmd >}} -->" in source
    assert "A commented-out {{< nope >}} and {{< meta missing >}}." in source


def test_kbd_and_pagebreak_in_html(book: Path) -> None:
    index = page(book / "_book" / "index.html")
    kbd = [(attrs, text) for tag, attrs, text in index.elements if tag == "kbd"]
    assert kbd == [
        (
            {"title": "Shift-Ctrl-P, mac: Shift-Command-P", "data-mac": "Shift-Command-P"},
            "Shift-Ctrl-P",
        ),
        (
            {
                "title": "mac: Command-Q, windows: Alt-F4",
                "data-mac": "Command-Q",
                "data-windows": "Alt-F4",
            },
            "Command-Q (mac), Alt-F4 (windows)",
        ),
        ({"title": "Ctrl-C"}, "Ctrl-C"),
        ({"title": "Ctrl-V"}, "Ctrl-V"),
    ]
    breaks = [
        attrs
        for tag, attrs, _ in index.elements
        if tag == "div" and "page-break-after" in (attrs.get("style") or "")
    ]
    assert len(breaks) == 1


def test_nested_includes_paste_text_and_cells(book: Path) -> None:
    one = page(book / "_book" / "one.html")
    text = one.text
    order = [
        "Before the include.",
        "Text of part A",
        "Text of part B quoting Shortcode Book.",
        "answer = 6 * 7 # {{< meta title >}} stays in code cells",
        "The answer is 42.",
        "After the include.",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, text
    assert positions == sorted(positions)


def test_data_and_code_panel_names_the_included_file(book: Path) -> None:
    one = page(book / "_book" / "one.html")
    assert "Produced in chapters/parts/_b.qmd, line 10, by:" in one.text


def test_pdf_has_the_same_text_and_a_page_break(book: Path) -> None:
    text = pdf_text(book / "_book" / "thesis.pdf")
    assert "Book: Shortcode Book. Version 2.5 of Lankao Institute." in text
    assert "Literal {{< meta title >}} stays." in text
    assert "Press Shift-Ctrl-P (mac: Shift-Command-P) to print." in text
    assert "Quit with Command-Q (mac), Alt-F4 (windows)." in text
    assert "Copy Ctrl-C(and paste) [Ctrl-V]." in text
    assert "Text of part B quoting Shortcode Book." in text
    assert "The answer is 42." in text
    pages = _pdf_pages(book / "_book" / "thesis.pdf")
    before = next(i for i, p in enumerate(pages) if "to print." in p)
    after = next(i for i, p in enumerate(pages) if "After the break." in p)
    assert after == before + 1


def _pdf_pages(pdf: Path) -> list[str]:
    import subprocess

    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


def test_book_without_shortcodes_is_read_unchanged(tmp_path: Path) -> None:
    text = "# T\n\nPlain `code` and {{ not a shortcode }}.\n"
    (tmp_path / "a.qmd").write_text(text)
    source = expand_includes(tmp_path, Path("a.qmd"), text)
    assert source.text == text
    assert source.origins == ((Path("a.qmd"), 1), (Path("a.qmd"), 2), (Path("a.qmd"), 3))


def test_include_keeps_origins_of_every_line(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    doc = read_qmd(root, Path("chapters/one.qmd"))
    lines = doc.source().splitlines()
    where = dict(zip(lines, doc.origins, strict=False))
    assert where["Before the include."] == (Path("chapters/one.qmd"), 3)
    assert where["Text of part B quoting Shortcode Book."] == (Path("chapters/parts/_b.qmd"), 1)
    assert where["After the include."] == (Path("chapters/one.qmd"), 7)
    assert [c.line for c in doc.cells] and doc.origins[doc.cells[0].line - 1] == (
        Path("chapters/parts/_b.qmd"),
        3,
    )


ERRORS = [
    (
        "chapters/parts/_b.qmd",
        "Fine.\n\nThen {{< nope x >}}.\n",
        "chapters/parts/_b.qmd:3: unknown shortcode 'nope': not one of Quarto's",
    ),
    (
        "chapters/parts/_b.qmd",
        "{{< video https://example.org/v.mp4 >}}\n",
        "chapters/parts/_b.qmd:1: shortcode 'video' is a Quarto shortcode this build does not "
        "render",
    ),
    (
        "chapters/parts/_b.qmd",
        "Fine.\n\n{{< include parts/_missing.qmd >}}\n",
        "chapters/parts/_b.qmd:3: included file not found: chapters/parts/_missing.qmd",
    ),
    (
        "chapters/parts/_b.qmd",
        "Fine.\n\n{{< include parts/_a.qmd >}}\n",
        "chapters/parts/_b.qmd:3: include cycle: chapters/one.qmd -> chapters/parts/_a.qmd -> "
        "chapters/parts/_b.qmd -> chapters/parts/_a.qmd",
    ),
    (
        "chapters/parts/_b.qmd",
        "{{< include ../../../elsewhere.qmd >}}\n",
        "chapters/parts/_b.qmd:1: included file '../../../elsewhere.qmd' is outside the project",
    ),
    (
        "chapters/parts/_b.qmd",
        "One.\n\nTwo {{< meta nokey >}}.\n",
        "chapters/parts/_b.qmd:3: meta shortcode: no key 'nokey'",
    ),
    (
        "chapters/parts/_b.qmd",
        "Its {{< meta title >}}\n",
        "chapters/parts/_b.qmd:1: meta shortcode: in a book chapter Quarto's 'title' is the "
        "chapter's numbered heading",
    ),
    (
        "chapters/parts/_b.qmd",
        "{{< var org >}}\n",
        "chapters/parts/_b.qmd:1: var shortcode: 'org' is a mapping",
    ),
    (
        "chapters/parts/_b.qmd",
        "A {{< env SC_TEST_UNSET_VAR >}}\n",
        "chapters/parts/_b.qmd:1: env shortcode: "
        "environment variable 'SC_TEST_UNSET_VAR' is not set",
    ),
    (
        "chapters/parts/_b.qmd",
        "Text {{< pagebreak >}} inline.\n",
        "chapters/parts/_b.qmd:1: pagebreak shortcode must stand on a line of its own",
    ),
    (
        "chapters/parts/_b.qmd",
        "A {{< kbd Ctrl-C os2=Ctrl-D >}}\n",
        "chapters/parts/_b.qmd:1: kbd shortcode: unknown operating system 'os2'",
    ),
    (
        "chapters/parts/_b.qmd",
        "One.\n\n![Box]({{< placeholder 0 >}})\n",
        "chapters/parts/_b.qmd:3: placeholder shortcode: size '0' is not a positive whole number",
    ),
    (
        "chapters/parts/_b.qmd",
        "{{< placeholder 10 format=gif >}}\n",
        "chapters/parts/_b.qmd:1: placeholder shortcode: format 'gif' is not one of: svg, png",
    ),
    # errors found after parsing still name the included file's line
    (
        "chapters/parts/_b.qmd",
        "One.\n\nSee @sec-missing.\n",
        "chapters/parts/_b.qmd:3: unknown cross-reference '@sec-missing'",
    ),
    (
        "chapters/parts/_b.qmd",
        "One.\n\n```{python}\n#| bogus: 1\n1\n```\n",
        "chapters/parts/_b.qmd:4: cell option 'bogus' is not a Quarto option",
    ),
    (
        "chapters/parts/_b.qmd",
        "---\ntitle: x\n---\n\nText.\n",
        "chapters/parts/_b.qmd:1: an included file cannot have front matter",
    ),
    (
        "index.qmd",
        "# P {.unnumbered}\n\n{{< var nothing.here >}}\n",
        "index.qmd:3: var shortcode: no key 'nothing.here'",
    ),
]


@pytest.mark.parametrize(
    ("file", "text", "message"), ERRORS, ids=[m.split(": ", 1)[1][:40] for _f, _t, m in ERRORS]
)
def test_errors_name_the_file_and_line(tmp_path: Path, file: str, text: str, message: str) -> None:
    root = write_book(tmp_path / "book")
    (root / file).write_text(text)
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert message in result.err, result.err
    assert "Traceback" not in result.err


def test_shortcode_continued_on_the_next_line_and_doubled_backslash(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "index.qmd").write_text(
        "---\nfirst: the-first-value\nnested:\n  a.b:\n    key: deep-value\n---\n\n"
        "# P {.unnumbered}\n\nA {{< meta\nfirst >}} code, {{< meta nested.a\\\\.b.key >}} and "
        "{{< meta nested.a\\.b.key >}}.\n\nSee @bad-ref-here.\n"
    )
    doc = read_qmd(root, Path("index.qmd"))
    assert "A the-first-value code, deep-value and deep-value." in doc.source()
    line = next(n for n, text in enumerate(doc.source().splitlines(), 1) if "@bad-ref" in text)
    assert doc.origin(line) == (Path("index.qmd"), 13)


def test_value_of_several_paragraphs(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "index.qmd").write_text(
        "---\nkey: |\n  First paragraph\n\n  second one.\n---\n\n# P {.unnumbered}\n\n"
        "```yaml\n{{< meta key >}}\n```\n\n{{< meta key >}}\n\nInline {{< meta key >}}\n\n"
        "See @bad-ref-here.\n"
    )
    doc = read_qmd(root, Path("index.qmd"))
    assert (
        "```yaml\nFirst paragraph\n\nsecond one.\n```\n\nFirst paragraph\n\n"
        "second one.\n\nInline First paragraph second one.\n"
    ) in doc.source()
    line = next(n for n, text in enumerate(doc.source().splitlines(), 1) if "@bad-ref" in text)
    assert doc.origin(line) == (Path("index.qmd"), 18)


def test_var_without_variables_file_is_an_error(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "_variables.yml").unlink()
    with pytest.raises(BuildError, match=re.escape("no _variables.yml")) as caught:
        read_qmd(root, Path("index.qmd"))
    assert (caught.value.path, caught.value.line) == (Path("index.qmd"), 3)
