"""The smoke-all runner supplies images that Quarto's documents name a folder up, and a
placeholder for one its repository does not hold at all."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _runner():
    spec = importlib.util.spec_from_file_location("smoke_all", HERE / "smoke_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_image_a_folder_up_is_copied_and_one_nowhere_is_a_placeholder(tmp_path):
    smoke = tmp_path / "smoke-all"
    (smoke / "float" / "img").mkdir(parents=True)
    (smoke / "float" / "img" / "surus.jpg").write_bytes(b"jpeg")
    (smoke / "float" / "html").mkdir()
    qmd = smoke / "float" / "html" / "doc.qmd"
    qmd.write_text(
        "![](img/surus.jpg)\n\n![A](img/missing.png){#fig-a}\n\n![](https://x.org/a.png)\n",
        "utf-8",
    )
    (tmp_path / "outside" / "img").mkdir(parents=True)  # above smoke-all: never looked at
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "missing.png").write_bytes(b"png")
    root = tmp_path / "book"
    root.mkdir()
    runner = _runner()
    assert runner.supply_images(qmd, root, smoke) == (["img/surus.jpg"], ["img/missing.png"])
    assert (root / "img" / "surus.jpg").read_bytes() == b"jpeg"
    # not the file above smoke-all: a placeholder PNG
    assert (root / "img" / "missing.png").read_bytes() == runner.placeholder(".png")
    assert runner.placeholder(".png").startswith(b"\x89PNG\r\n")


def test_an_image_already_beside_the_document_is_left_alone(tmp_path):
    smoke = tmp_path / "smoke-all"
    (smoke / "a" / "img").mkdir(parents=True)
    (smoke / "a" / "img" / "x.png").write_bytes(b"up")
    (smoke / "a" / "b").mkdir()
    qmd = smoke / "a" / "b" / "doc.qmd"
    qmd.write_text("![](img/x.png)\n", "utf-8")
    root = tmp_path / "book"
    (root / "img").mkdir(parents=True)
    (root / "img" / "x.png").write_bytes(b"here")
    assert _runner().supply_images(qmd, root, smoke) == ([], [])
    assert (root / "img" / "x.png").read_bytes() == b"here"


def test_an_image_in_a_folder_beside_an_ancestor_is_supplied(tmp_path):
    smoke = tmp_path / "smoke-all"
    (smoke / "float" / "typst" / "img").mkdir(parents=True)
    (smoke / "float" / "typst" / "img" / "painter.jpg").write_bytes(b"painter")
    (smoke / "float" / "html").mkdir()
    qmd = smoke / "float" / "html" / "doc.qmd"
    qmd.write_text("![A painter](img/painter.jpg){#fig-p}\n", "utf-8")
    root = tmp_path / "book"
    root.mkdir()
    assert _runner().supply_images(qmd, root, smoke) == (["img/painter.jpg"], [])
    assert (root / "img" / "painter.jpg").read_bytes() == b"painter"


def test_placeholders_for_brand_logos_and_none_outside_the_folder(tmp_path):
    smoke = tmp_path / "smoke-all"
    (smoke / "shortcodes").mkdir(parents=True)
    qmd = smoke / "shortcodes" / "doc.qmd"
    qmd.write_text(
        "---\nbrand:\n  light:\n    logo:\n      small: light-logo.png\n"
        "      images:\n        big: {path: logos/big.svg, alt: Big}\n---\n\n"
        "{{< brand logo small light >}}\n\n![Up](../img/up.jpg)\n\n![](./test.jpg)\n",
        "utf-8",
    )
    root = tmp_path / "book"
    root.mkdir()
    runner = _runner()
    assert runner.supply_images(qmd, root, smoke) == (
        [],
        ["./test.jpg", "light-logo.png", "logos/big.svg"],
    )
    assert (root / "test.jpg").read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert (root / "logos" / "big.svg").read_bytes().startswith(b"<svg ")
    assert not (tmp_path / "img").exists()  # ../ is left for the build to refuse
    assert runner._note(([], ["a.png", "b.jpg"])) == " (placeholder images: a.png, b.jpg)"


def test_a_brand_file_s_logos_are_relative_to_it(tmp_path):
    smoke = tmp_path / "smoke-all"
    (smoke / "brand" / "theme").mkdir(parents=True)
    (smoke / "brand" / "theme" / "b.yml").write_text("logo:\n  small: dark.png\n", "utf-8")
    qmd = smoke / "brand" / "doc.qmd"
    qmd.write_text("---\nbrand: theme/b.yml\n---\n\n{{< brand logo small >}}\n", "utf-8")
    assert _runner().brand_images(qmd, qmd.read_text("utf-8")) == ["theme/dark.png"]
    qmd.write_text("---\nbrand: theme/b.yml\n---\n\nNo shortcode.\n", "utf-8")
    assert _runner().brand_images(qmd, qmd.read_text("utf-8")) == []


def test_a_document_whose_first_heading_is_level_two_is_given_a_title(tmp_path):
    """Rendered alone, Quarto keeps such a heading an <h2> (its assertions test that); as a
    book chapter the first heading would become the title, so the runner writes a title."""
    runner = _runner()
    cases = {
        "h2.qmd": ("---\nformat: html\n---\n\n```\n# not a heading\n```\n\n## Slide\n", True),
        "bare.qmd": ("Text.\n\n### Deep\n", True),
        "h1.qmd": ("---\nformat: html\n---\n\n# Top\n\n## Sub\n", False),
        "titled.qmd": ("---\ntitle: Mine\n---\n\n## Sub\n", False),
        "none.qmd": ("Just text.\n", False),
    }
    for name, (text, titled) in cases.items():
        (tmp_path / name).write_text(text, "utf-8")
        assert runner.title_if_untitled(tmp_path / name) is titled, name
    assert (
        (tmp_path / "h2.qmd")
        .read_text("utf-8")
        .startswith('---\nformat: html\ntitle: "h2"\n---\n\n```\n# not a heading')
    )
    assert (tmp_path / "bare.qmd").read_text(
        "utf-8"
    ) == '---\ntitle: "bare"\n---\nText.\n\n### Deep\n'
    assert (tmp_path / "h1.qmd").read_text("utf-8").startswith("---\nformat: html\n---")
