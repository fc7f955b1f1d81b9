"""Live reload in a real browser: a page open in headless Chromium shows a saved edit by
itself, with no refresh asked for. Skips without Chromium, like tests/test_browser.py."""

from __future__ import annotations

import re
import threading
import time

import pytest
from test_browser import browser_binaries, driver  # noqa: F401
from test_preview import BOUND_S, _small_book

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_open_page_reloads_itself_after_a_save(driver, tmp_path):  # noqa: F811
    from bookbuild.commands.preview import preview

    root = tmp_path / "book"
    _small_book(root)
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=preview,
        kwargs={
            "root": root,
            "port": 0,
            "formats": ("html",),
            "interval": 0.1,
            "stop": stop,
            "log": lines.append,
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + BOUND_S
        while not any("serving" in line for line in lines):
            assert thread.is_alive() and time.monotonic() < deadline, lines
            time.sleep(0.05)
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines))[0]
        page = next(
            p for p in (root / "_book").rglob("*.html") if "first version" in p.read_text("utf-8")
        )
        driver.get(url + page.relative_to(root / "_book").as_posix())
        assert "The first version." in driver.page_source
        driver.execute_script("window.__notReloaded = true;")
        time.sleep(0.5)  # the page's long poll is waiting
        (root / "chapters" / "one.qmd").write_text("# One\n\nThe second version.\n", "utf-8")
        deadline = time.monotonic() + BOUND_S
        while "The second version." not in driver.page_source:
            assert time.monotonic() < deadline, lines
            time.sleep(0.1)
        assert driver.execute_script("return window.__notReloaded === undefined;")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        stop.set()
        thread.join(timeout=60)
