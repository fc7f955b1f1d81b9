"""Code blocks as Quarto renders them: annotations (`# <1>` and the ordered list after the
code) in both editions, and the HTML edition's copy button (`code-copy`), also in a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.bookbuild_helpers import pdf_text, run
from tests.test_browser import browser_binaries, driver  # noqa: F401

CONFIG = """project:
  type: book
book:
  title: Code
  chapters:
    - index.qmd
    - none.qmd
    - off.qmd
"""
INDEX = """# Annotated

```python
import math             # <1>
radius = 2.0            # <2>
area = math.pi * radius ** 2  # <2>
print(area)
```

1. Bring in the constants.
2. The circle's area, in square units.

Plain text after.
"""
NONE = """---
code-annotations: none
code-copy: false
---

# Removed

```python
x = 1  # <1>
```

1. Dropped with its marker.
"""
OFF = """---
code-annotations: false
---

# As written

```python
y = 2  # <1>
```

1. Kept as a list.
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("code-blocks")
    (root / "_quarto.yml").write_text(CONFIG)
    for name, text in (("index", INDEX), ("none", NONE), ("off", OFF)):
        (root / f"{name}.qmd").write_text(text)
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def _article(book: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((book / "_book" / page).read_text("utf-8"), "html.parser").article


def test_annotations_name_their_lines_and_leave_the_code(book: Path) -> None:
    article = _article(book, "index.html")
    code = article.select_one("div.sourceCode pre code").get_text()
    assert code == "import math\nradius = 2.0\narea = math.pi * radius ** 2\nprint(area)"
    terms = [dt.get_text() for dt in article.select("dl > dt")]
    notes = [dd.get_text(" ", strip=True) for dd in article.select("dl > dd")]
    assert terms == ["Line 1", "Lines 2\u20133"]
    assert notes == ["Bring in the constants.", "The circle\u2019s area, in square units."]
    assert not article.select("ol")
    text = pdf_text(book / "_book" / "thesis.pdf")
    assert "import math radius = 2.0" in text and "<2>" not in text
    assert "Lines 2\u20133 The circle\u2019s area, in square units." in text


def test_none_drops_markers_and_list_false_keeps_both(book: Path) -> None:
    removed = _article(book, "none.html")
    assert removed.select_one("pre code").get_text() == "x = 1"
    assert "Dropped" not in removed.get_text()
    kept = _article(book, "off.html")
    assert kept.select_one("pre code").get_text() == "y = 2  # <1>"
    assert [li.get_text(strip=True) for li in kept.select("ol > li")] == ["Kept as a list."]


def test_code_blocks_have_quarto_s_copy_scaffold_unless_off(book: Path) -> None:
    article = _article(book, "index.html")
    scaffold = article.select_one("div.code-copy-outer-scaffold.code-copy-hover")
    assert scaffold.select_one("div.sourceCode code.sourceCode")
    button = scaffold.select_one(":scope > button.code-copy-button")
    assert button.has_attr("hidden")  # shown by the script where the clipboard is reachable
    assert not _article(book, "none.html").select(".code-copy-button")  # code-copy: false


@pytest.mark.browser
def test_the_copy_button_copies_the_code(book: Path, driver) -> None:  # noqa: F811
    driver.get((book / "_book" / "index.html").as_uri())
    button = driver.find_element("css selector", ".code-copy-button")
    assert driver.execute_script("return !arguments[0].hidden", button)  # the script showed it
    driver.execute_script(
        "navigator.clipboard.writeText = t => { window.copied = t; return Promise.resolve(); }"
    )
    driver.execute_script("arguments[0].click()", button)
    copied = driver.execute_script("return window.copied")
    assert copied == "import math\nradius = 2.0\narea = math.pi * radius ** 2\nprint(area)"
