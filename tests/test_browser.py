"""The HTML edition in a real browser: headless Chromium driven by Selenium.

The fixture book is built into a temporary folder and served on an ephemeral localhost port;
every page is loaded and checked for console errors, requests leaving localhost, links and
cross-references that do not resolve, and accessibility problems (axe-core, injected from
node_modules). Search is exercised over HTTP and from file://. Screenshots at phone and
desktop widths are written to test-artifacts/screenshots/. When the thesis itself has been
built (`_book/` at the repository root), every one of its pages gets the same checks.

Without Chromium these tests skip, saying how to install it; under CI (CI=true) they fail.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlparse

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minibook"
THESIS_BOOK = Path(os.environ.get("THESIS_EDITION", REPO / "_book"))  # a built thesis
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PHONE = (360, 800)
DESKTOP = (1280, 900)
INSTALL_HINT = (
    "install Chromium and its driver (Debian: `apt-get install chromium "
    "chromium-driver`; .ci/run does this)"
)
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--font-render-hinting=none",
]
_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def _missing(what: str) -> None:
    """Skip on a developer's machine; fail under CI, where the browser must be installed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI=true, so this is a failure, not a skip)")
    pytest.skip(what)


def _thesis_pages() -> list[str]:
    if not (THESIS_BOOK / "index.html").is_file():
        return []
    return sorted(p.name for p in THESIS_BOOK.glob("*.html"))


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        _missing(
            f"headless Chromium not found (chromium: {chromium}, chromedriver: {driver}): "
            f"{INSTALL_HINT}"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing("selenium is not installed: run `make` to create the environment")
    return chromium, driver


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        _missing(f"{AXE.relative_to(REPO)} is missing: run `make` (it runs `npm ci`)")
    return AXE.read_text("utf-8")


@pytest.fixture(scope="session")
def fixture_edition(fixture_book: Path) -> Path:
    """The fixture book's edition, built once per session (conftest)."""
    return fixture_book / "_book"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def fixture_url(fixture_edition: Path) -> Iterator[str]:
    yield from _serve(fixture_edition)


@pytest.fixture(scope="session")
def thesis_url() -> Iterator[str]:
    yield from _serve(THESIS_BOOK)


@pytest.fixture(scope="session")
def driver(browser_binaries: tuple[str, str], tmp_path_factory: pytest.TempPathFactory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_binaries
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(30)
    browser.execute_cdp_cmd("Network.enable", {})
    # A headless window never has the system's focus, so since Chromium 150 element.focus()
    # fires no focus events; emulate a focused page, as a reader's window is.
    browser.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
    try:
        yield browser
    finally:
        browser.quit()


# ---- helpers --------------------------------------------------------------------------------


def viewport(driver, size: tuple[int, int], dark: bool = False, media: str = "") -> None:
    """Emulate a screen of `size` CSS pixels (a phone below 600 px) and a colour preference."""
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {
            "media": media,
            "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}],
        },
    )


def drain_logs(driver) -> tuple[list[str], list[str]]:
    """(console errors, URLs requested) since the last call."""
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return errors, urls


def load(driver, url: str) -> tuple[list[str], list[str]]:
    """Open `url` in a clean state and return its console errors and requested URLs."""
    driver.execute_script("try { localStorage.clear(); } catch (e) {}")  # saved theme, sidebar
    drain_logs(driver)
    driver.get(url)
    for _ in range(50):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.05)
    return drain_logs(driver)


def leaving(urls: list[str], base: str) -> list[str]:
    """Requested URLs that are not on the local server (data: and blob: stay in the page)."""
    local = ("data:", "blob:", "about:", "chrome://", "chrome-untrusted://", base)
    return [u for u in urls if not u.startswith(local)]


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    return frozenset(unquote(i) for i in _ID.findall(path.read_text("utf-8")))


def unresolved_links(driver, base: str, folder: Path) -> list[str]:
    """Every link, image, script and stylesheet of the open page that points nowhere.

    Links to other sites (a bibliography's DOIs) load nothing and are allowed; everything
    the page loads must be inside the edition.
    """
    targets = driver.execute_script("""
        const here = location.href.split('#')[0];
        const out = [];
        const add = (url, loads) => {
            const [address, fragment] = url.split('#');
            const live = fragment === undefined || address !== here ||
                document.getElementById(decodeURIComponent(fragment)) !== null;
            out.push([url, loads, live]);
        };
        document.querySelectorAll('a[href]').forEach(e => add(e.href, false));
        document.querySelectorAll('link[href]').forEach(
            e => add(e.href, !['prev', 'next'].includes(e.rel)));
        document.querySelectorAll('img[src], script[src]').forEach(e => add(e.src, true));
        return out;""")
    bad = []
    for target, loads, live in targets:
        address, fragment = urldefrag(target)
        if not address.startswith(base):
            if loads or not re.match(r"^(https?|mailto):", target):
                bad.append(f"{target} (not inside the edition)")
            continue
        relative = unquote(urlparse(address).path).lstrip("/") or "index.html"
        path = folder / relative
        if not path.is_file():
            bad.append(f"{target} (no file {relative})")
        elif fragment and relative.endswith(".html") and unquote(fragment) not in ids_of(path):
            bad.append(f"{target} (no element with id {unquote(fragment)!r})")
        elif not live:
            bad.append(f"{target} (id missing from the live page)")
    return bad


# Rules that depend on the colours alone: all a second theme can change.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(driver, axe_source: str, rules: list[str] | None = None) -> list[str]:
    """Serious and critical axe-core violations on the open page (all rules, or `rules`)."""
    driver.execute_script(axe_source)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, arguments[0])
           .then(r => done(r.violations))
           .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
    """,
        options,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n.get("target")) for n in v["nodes"][:5])
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def search(driver, query: str, typed: bool = True) -> list[dict[str, str]]:
    """Type (or paste) `query` into the search box and return the listed results in order."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "search-input")
    if typed:
        box.clear()
        box.send_keys(query)
    else:
        driver.execute_script(
            "arguments[0].value = arguments[1];arguments[0].dispatchEvent(new Event('input'));",
            box,
            query,
        )
    # the index loads on first use: wait until the results are listed
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "var s = document.querySelector('#search-results .search-status');"
            "return s && s.textContent && s.textContent.indexOf('Loading') !== 0;"
        )
    )
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#search-results .search-list a'), a => ({
            href: a.getAttribute('href'), text: a.textContent,
            marks: Array.from(a.querySelectorAll('mark'), m => m.textContent)}));""")


def page_problems(
    driver, base: str, folder: Path, page: str, axe_source: str, size: tuple[int, int], dark: bool
) -> list[str]:
    """Everything wrong with one page at one screen size and theme (empty when all is well)."""
    where = f"{page} at {size[0]}x{size[1]} {'dark' if dark else 'light'}"
    viewport(driver, size, dark=dark)
    errors, urls = load(driver, base + page)
    problems = [f"{where}: console error {e}" for e in errors]
    problems += [f"{where}: request leaves localhost: {u}" for u in leaving(urls, base)]
    if not any(u.endswith("assets/book.css") for u in urls):
        problems.append(f"{where}: the stylesheet was not requested")
    problems += [f"{where}: link to {b}" for b in unresolved_links(driver, base, folder)]
    rules = COLOUR_RULES if dark else None  # the dark theme differs from the light in colour
    problems += [f"{where}: axe {v}" for v in axe_violations(driver, axe_source, rules)]
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    if overflow > 0:
        problems.append(f"{where}: the page scrolls sideways by {overflow}px")
    return problems


# ---- every page of the fixture edition ------------------------------------------------------


def test_every_fixture_page_is_clean_accessible_and_fits(
    driver, fixture_url, fixture_edition, axe_source
):
    """Each page at phone and desktop width, light and dark: no errors, no outside requests,
    no dead links or cross-references, no serious axe violations, no sideways scrolling."""
    pages = sorted(p.name for p in fixture_edition.glob("*.html"))
    assert {"index.html", "01-data.html", "references.html"} <= set(pages)
    problems = []
    for page in pages:
        for size, dark in ((DESKTOP, False), (PHONE, False), (DESKTOP, True)):
            problems += page_problems(
                driver, fixture_url, fixture_edition, page, axe_source, size, dark
            )
            theme = "dark" if dark else "light"
            screenshot(driver, f"fixture-{Path(page).stem}-{size[0]}x{size[1]}-{theme}")
    assert problems == [], "\n".join(problems)


def test_search_lists_the_chapter_that_holds_the_term_first(driver, fixture_url):
    """A term from one chapter finds that chapter first, its section linked and the term marked;
    the bibliography, which names the same author, comes later."""
    data = (FIXTURE / "chapters" / "01-data.qmd").read_text("utf-8")
    assert "@cronbach1951coefficient" in data  # the chapter cites the author searched for
    viewport(driver, DESKTOP)
    load(driver, fixture_url + "02-prose.html")
    results = search(driver, "Cronbach")
    assert results, "no results for a cited author"
    assert results[0]["href"].startswith("01-data.html")
    assert [m.lower() for m in results[0]["marks"]][:1] == ["cronbach"]
    assert any(r["href"].startswith("references.html") for r in results[1:])
    glossary = search(driver, "glossary")
    assert glossary[0]["href"].startswith("a-extra.html")
    section = search(driver, "numbered again")
    assert section[0]["href"] == "02-prose.html#a-numbered-section"
    assert search(driver, "兰考")[0]["href"] == "index.html"
    assert search(driver, "zyxxyq") == []
    status = driver.execute_script(
        "return document.querySelector('#search-results .search-status').textContent"
    )
    assert "Nothing matches" in status


def test_search_works_from_a_file_url_without_a_server(driver, fixture_edition):
    """Examiners open the edition from a zip: search must work over file:// too."""
    viewport(driver, DESKTOP)
    errors, urls = load(driver, fixture_edition.joinpath("index.html").as_uri())
    assert errors == []
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []
    results = search(driver, "Cronbach")
    assert results and results[0]["href"].startswith("01-data.html")


def test_keyboard_reaches_content_search_results_and_the_next_chapter(driver, fixture_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    viewport(driver, DESKTOP)
    load(driver, fixture_url + "01-data.html")
    body = driver.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    active.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "content"
    ActionChains(driver).send_keys("/").perform()
    assert driver.switch_to.active_element.get_attribute("id") == "search-input"
    ActionChains(driver).send_keys("glossary").perform()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(  # the index loads on first use
            "return document.querySelectorAll('#search-results .search-list a').length > 0;"
        )
    )
    ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
    focused = driver.switch_to.active_element
    assert focused.get_attribute("href").endswith("a-extra.html")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    assert driver.execute_script("return document.getElementById('search-results').hidden")
    driver.find_element("css selector", "main h1").click()  # the middle may be a figure link
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    assert driver.current_url.endswith("02-prose.html")
    ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
    assert driver.current_url.endswith("01-data.html")


def test_phone_contents_drawer_opens_and_closes(driver, fixture_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    viewport(driver, PHONE)
    load(driver, fixture_url + "01-data.html")
    sidebar = driver.find_element("id", "sidebar")
    toggle = driver.find_element("css selector", ".sidebar-toggle")
    assert not sidebar.is_displayed()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    time.sleep(0.3)  # the drawer slides in over 0.2 s
    assert sidebar.is_displayed()
    assert toggle.get_attribute("aria-expanded") == "true"
    screenshot(driver, "fixture-01-data-360x800-drawer")
    current = driver.switch_to.active_element
    assert current.get_attribute("aria-current") == "page"
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    time.sleep(0.3)
    assert not sidebar.is_displayed()
    assert driver.switch_to.active_element == toggle


def test_desktop_sidebar_collapses_and_stays_collapsed_on_the_next_page(driver, fixture_url):
    viewport(driver, DESKTOP)
    load(driver, fixture_url + "01-data.html")
    sidebar = driver.find_element("id", "sidebar")
    toggle = driver.find_element("css selector", ".sidebar-toggle")
    assert sidebar.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
    left = driver.find_element("css selector", "main h1").rect["x"]
    toggle.click()
    assert not sidebar.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    assert driver.find_element("css selector", "main h1").rect["x"] < left  # text moves over
    driver.get(fixture_url + "02-prose.html")
    assert not driver.find_element("id", "sidebar").is_displayed()
    driver.find_element("css selector", ".sidebar-toggle").click()
    assert driver.find_element("id", "sidebar").is_displayed()


def test_search_results_fit_a_phone(driver, fixture_url):
    viewport(driver, PHONE)
    load(driver, fixture_url + "index.html")
    assert search(driver, "income")
    box = driver.execute_script("""
        const r = document.getElementById('search-results').getBoundingClientRect();
        return [r.left, r.right, window.innerWidth];""")
    assert box[0] >= 0 and box[1] <= box[2]
    screenshot(driver, "fixture-index-360x800-search")


def test_theme_follows_the_system_and_the_toggle_overrides_it(driver, fixture_url):
    background = "return getComputedStyle(document.body).backgroundColor"
    viewport(driver, DESKTOP, dark=True)
    load(driver, fixture_url + "index.html")
    dark = driver.execute_script(background)
    viewport(driver, DESKTOP, dark=False)
    load(driver, fixture_url + "index.html")
    light = driver.execute_script(background)
    assert light == "rgb(255, 255, 255)" and dark != light
    driver.find_element("css selector", ".theme-toggle").click()
    assert driver.execute_script(background) == dark
    driver.get(fixture_url + "01-data.html")  # the choice is kept on the next page
    assert driver.execute_script(background) == dark
    driver.execute_script("localStorage.clear()")


def test_print_stylesheet_leaves_only_the_text(driver, fixture_url):
    viewport(driver, DESKTOP, media="print")
    load(driver, fixture_url + "01-data.html")
    hidden = driver.execute_script("""
        return ['.topbar', '#sidebar', '.pager', '.site-footer'].map(
            s => getComputedStyle(document.querySelector(s)).display);""")
    assert hidden == ["none"] * 4
    assert driver.find_element("css selector", "main h1").is_displayed()
    viewport(driver, DESKTOP)


# ---- every page of the thesis, when it has been built -------------------------------------


@pytest.mark.parametrize(
    "page",
    _thesis_pages()
    or [
        pytest.param(
            "index.html", marks=pytest.mark.skip(reason="the thesis is not built: run make")
        )
    ],
)
def test_thesis_page_is_clean_and_accessible(driver, thesis_url, axe_source, page):
    problems = []
    for size, dark in ((DESKTOP, False), (PHONE, False), (DESKTOP, True)):
        problems += page_problems(driver, thesis_url, THESIS_BOOK, page, axe_source, size, dark)
        theme = "dark" if dark else "light"
        screenshot(driver, f"thesis-{Path(page).stem}-{size[0]}x{size[1]}-{theme}")
    assert problems == [], "\n".join(problems)


@pytest.mark.skipif(not _thesis_pages(), reason="the thesis is not built: run make")
def test_thesis_search_lists_each_chapter_first_for_its_own_title(driver, thesis_url):
    """Searching a numbered chapter's title puts a section of that chapter at the top."""
    from selenium.webdriver.common.by import By

    viewport(driver, DESKTOP)
    load(driver, thesis_url + "index.html")
    checked = 0
    for page in _thesis_pages():
        driver.get(thesis_url + page)
        number = driver.find_elements(By.CSS_SELECTOR, "main h1 .header-section-number")
        if not number:
            continue
        title = driver.execute_script(
            "const h = document.querySelector('main h1').cloneNode(true);"
            "h.querySelector('.header-section-number').remove(); return h.textContent.trim();"
        )
        results = search(driver, title, typed=False)
        assert results, f"no result for {title!r}"
        assert results[0]["href"].split("#")[0] == page, (title, results[:3])
        checked += 1
    assert checked >= 5


def test_thesis_search_folds_accents_and_widths(driver, thesis_url):
    """A query without the accent, or typed in full-width letters, finds the accented word
    and the snippet marks the word as the text spells it."""
    viewport(driver, DESKTOP)
    load(driver, thesis_url + "index.html")
    plain = search(driver, "communique", typed=False)
    assert plain, "no result for 'communique'"
    marks = {m for r in plain for m in r["marks"]}
    assert marks and all(m.lower().startswith("communiqu") for m in marks), marks
    assert any("é" in m for m in marks), marks  # the text's own spelling is what is marked
    wide = search(driver, "ｃｏｍｍｕｎｉｑｕｅ", typed=False)
    assert [r["href"] for r in wide] == [r["href"] for r in plain]


def test_a_followed_result_marks_its_terms_on_the_page_it_opens(driver, thesis_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    viewport(driver, DESKTOP)
    load(driver, thesis_url + "index.html")
    results = search(driver, "communique", typed=False)
    target = results[0]["href"].split("#")[0]
    driver.find_element(By.CSS_SELECTOR, "#search-results .search-list a").click()
    WebDriverWait(driver, 10).until(
        lambda d: (
            d.current_url.split("#")[0].endswith(target)
            and d.execute_script("return document.readyState") == "complete"
        )
    )
    hits = driver.execute_script(
        "return Array.from(document.querySelectorAll('main mark.search-hit'), m => m.textContent);"
    )
    assert hits and all(h.lower().startswith("communiqu") for h in hits), hits
    driver.refresh()  # the terms were for one arrival only
    assert driver.execute_script("return document.querySelectorAll('mark.search-hit').length") == 0
