"""The subset web font is reused from `.bookbuild/` only when the stored file is whole."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bookbuild.writers.webfont import FONT_FILE, write_webfont

pytestmark = pytest.mark.slow  # each case subsets the 17 MB CJK font twice (about 10 s)


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"\0" * len(b)])
def test_a_damaged_cached_font_is_subset_again_never_shipped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, damage) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p lang=\"zh\">精准扶贫与共享发展</p>", "utf-8")
    cache = tmp_path / "state"
    first, second = tmp_path / "one", tmp_path / "two"
    write_webfont(first, [page], cache_dir=cache)
    good = (first / FONT_FILE).read_bytes()
    [entry] = cache.glob("cjk-*.woff2")
    assert entry.read_bytes() == good
    entry.write_bytes(damage(good))
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        write_webfont(second, [page], cache_dir=cache)
    assert (second / FONT_FILE).read_bytes() == good
    assert entry.read_bytes() == good  # repaired in place
    assert any("damaged web-font cache entry" in r.getMessage() for r in caplog.records)
    assert not list(cache.glob("*.partial"))
