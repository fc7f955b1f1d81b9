"""The subset web font is reused from `.bookbuild/` only when the stored file is whole."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bookbuild.writers.webfont import BOLD_FONT_FILE, CSS_FILE, FONT_FILE, write_webfont

pytestmark = pytest.mark.slow  # each case subsets the 17 MB CJK font twice (about 10 s)


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"\0" * len(b)])
def test_a_damaged_cached_font_is_subset_again_never_shipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage
) -> None:
    page = tmp_path / "page.html"
    page.write_text('<p lang="zh">精准扶贫与共享发展</p>', "utf-8")
    cache = tmp_path / "state"
    first, second = tmp_path / "one", tmp_path / "two"
    write_webfont(first, [page], cache_dir=cache)
    good = (first / FONT_FILE).read_bytes()
    [entry] = [e for e in cache.glob("cjk-*.woff2") if e.read_bytes() == good]
    entry.write_bytes(damage(good))
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        write_webfont(second, [page], cache_dir=cache)
    assert (second / FONT_FILE).read_bytes() == good
    assert entry.read_bytes() == good  # repaired in place
    assert any("damaged web-font cache entry" in r.getMessage() for r in caplog.records)
    assert not list(cache.glob("*.partial"))


def test_bold_chinese_has_its_own_bold_face(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    page = tmp_path / "page.html"
    page.write_text('<p lang="zh"><strong>精准</strong>扶贫</p>', "utf-8")
    write_webfont(tmp_path / "out", [page])
    css = (tmp_path / "out" / CSS_FILE).read_text("utf-8")
    assert "font-weight: 400;" in css and "font-weight: 700;" in css
    assert "100 900" not in css  # one weight no longer claims the whole range
    weights = {
        name: TTFont(tmp_path / "out" / name)["OS/2"].usWeightClass
        for name in (FONT_FILE, BOLD_FONT_FILE)
    }
    assert weights == {FONT_FILE: 400, BOLD_FONT_FILE: 700}
    for name in (FONT_FILE, BOLD_FONT_FILE):
        cmap = TTFont(tmp_path / "out" / name).getBestCmap()
        assert all(ord(c) in cmap for c in "精准扶贫")


def test_the_bold_face_made_beside_is_the_one_made_here(tmp_path: Path, monkeypatch) -> None:
    """The two weights are subset at once, the bold in a second process; its bytes are the
    ones this process makes, and if that process fails the build makes them itself."""
    from bookbuild.writers import webfont

    page = tmp_path / "page.html"
    page.write_text('<p lang="zh"><strong>精准</strong>扶贫</p>', "utf-8")
    write_webfont(tmp_path / "beside", [page])
    characters = webfont.cjk_characters([page.read_text("utf-8")])
    assert (tmp_path / "beside" / BOLD_FONT_FILE).read_bytes() == webfont.subset_font(
        characters, 700
    )
    monkeypatch.setattr(webfont.sys, "executable", "/bin/false")  # the second process fails
    write_webfont(tmp_path / "here", [page])
    for name in (FONT_FILE, BOLD_FONT_FILE):
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "beside" / name).read_bytes()


def test_an_edition_without_chinese_has_no_web_font(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>Shared development</p>", "utf-8")
    assert write_webfont(tmp_path / "out", [page]) == ""
    assert "no Chinese text" in (tmp_path / "out" / CSS_FILE).read_text("utf-8")
    assert not (tmp_path / "out" / FONT_FILE).exists()
