"""Quarto's doubled braces show a cell without running it (its `engine-escape` filter, smoke
test 2024/04/11/9335.qmd): ```` ```{{python}} ```` is a code block showing ```` ```{python} ````,
`` `{{python}} x` `` shows `` `{python} x` ``, and inside code each loses one pair of braces."""

from __future__ import annotations

from pathlib import Path

from bookbuild_helpers import page, pdf_text, run

from bookbuild.document import pandoc
from bookbuild.document.ast import walk
from bookbuild.document.escaped_cells import mark_fences, unescape

SOURCE = """# Escapes

```{{python}}
#| echo: false
1 + 1
```

Inline `{{python}} 1 + 2` and a shortcode `{{{< meta x >}}}` left alone.

```` markdown
```{{{python}}}
3
```
and `{{python}} 4`
````

```{python}
#| echo: true
text = "```{{python}}"
```
"""


def _parsed(text: str) -> list[dict]:
    blocks = pandoc.markdown_to_ast(mark_fences(text), Path.cwd(), "test")["blocks"]
    unescape(blocks, text)
    return blocks


def test_marking_keeps_every_line_in_place() -> None:
    marked = mark_fences(SOURCE)
    assert len(marked.split("\n")) == len(SOURCE.split("\n"))
    assert marked.split("\n")[2] == '```{.markdown data-escaped-cell="{python}"}'
    # a doubled-brace fence inside another fence is that block's text, not a fence
    assert "```{{{python}}}" in marked


def test_doubled_braces_show_the_cell_as_quarto_does() -> None:
    blocks = _parsed(SOURCE.split("```{python}")[0])  # Pandoc's part: the cell is the engine's
    codes = [n for n in walk(blocks) if n["t"] == "CodeBlock"]
    assert codes[0]["c"][0][1] == ["markdown"] and codes[0]["c"][0][2] == []
    assert codes[0]["c"][1] == "```{python}\n#| echo: false\n1 + 1\n```"
    assert codes[1]["c"][1] == "```{{python}}\n3\n```\nand `{python} 4`"
    inline = [n["c"][1] for n in walk(blocks) if n["t"] == "Code"]
    assert inline == ["{python} 1 + 2", "{{{< meta x >}}}"]


def test_a_book_shows_them_in_both_editions(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: E\n  chapters: [index.qmd]\n", "utf-8"
    )
    (tmp_path / "index.qmd").write_text(SOURCE.replace("{{{< meta x >}}}", "x"), "utf-8")
    result = run(tmp_path, "build")
    assert result.code == 0, result.err
    main = page(tmp_path, "index.html").find("main")
    shown = [c.text() for c in main.find_all("code")]
    assert "```{python}\n#| echo: false\n1 + 1\n```" in shown
    assert "{python} 1 + 2" in shown
    # the cell ran, its echoed code as written
    assert any(text == 'text = "```{{python}}"' for text in shown)
    text = pdf_text(tmp_path / "_book" / "thesis.pdf")
    assert "```{python} #| echo: false 1 + 1 ```" in text
    assert "Inline {python} 1 + 2" in text
