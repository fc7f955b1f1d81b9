"""The smoke-all runner supplies images that Quarto's documents name a folder up."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _runner():
    spec = importlib.util.spec_from_file_location("smoke_all", HERE / "smoke_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_image_a_folder_up_is_supplied_and_one_nowhere_is_not(tmp_path):
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
    assert _runner().supply_images(qmd, root, smoke) == ["img/surus.jpg"]
    assert (root / "img" / "surus.jpg").read_bytes() == b"jpeg"
    assert not (root / "img" / "missing.png").exists()


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
    assert _runner().supply_images(qmd, root, smoke) == []
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
    assert _runner().supply_images(qmd, root, smoke) == ["img/painter.jpg"]
    assert (root / "img" / "painter.jpg").read_bytes() == b"painter"
