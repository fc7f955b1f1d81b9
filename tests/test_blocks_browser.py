"""The block features in a real browser (headless Chromium, from file://, no network): tabs
switch by click and by keyboard, collapsed callouts open, and axe finds no serious problem.
"""

from __future__ import annotations

import pytest
from bookbuild_helpers import run
from test_blocks import ONE, make_book
from test_browser import axe_source, axe_violations, browser_binaries, driver  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = make_book(tmp_path_factory.mktemp("blocks-browser") / "book", ONE)
    result = run(root, "build", "--quiet", "--to", "html")
    assert result.code == 0, result.err
    return (root / "_book" / "one.html").as_uri()


def _state(driver) -> list[tuple[str, str, bool]]:  # noqa: F811
    """(tab text, aria-selected, its panel visible) of each tab of the first tabset."""
    return driver.execute_script("""
        const first = document.querySelector('.panel-tabset');
        return Array.from(first.querySelectorAll('[role="tab"]')).map(t => [
          t.textContent, t.getAttribute('aria-selected'),
          document.getElementById(t.getAttribute('aria-controls')).offsetParent !== null]);""")


def test_tabs_by_click_and_keyboard(driver, page_url: str):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(page_url)
    assert _state(driver) == [["Table view", "false", False], ["Chart view", "true", True]]
    tabs = driver.find_elements(By.CSS_SELECTOR, ".panel-tabset")[0].find_elements(
        By.CSS_SELECTOR, '[role="tab"]'
    )
    tabs[0].click()
    assert _state(driver) == [["Table view", "true", True], ["Chart view", "false", False]]
    tabs[0].send_keys(Keys.ARROW_RIGHT)
    assert _state(driver) == [["Table view", "false", False], ["Chart view", "true", True]]
    assert driver.switch_to.active_element == tabs[1]  # focus moved with the selection
    tabs[1].send_keys(Keys.ARROW_RIGHT)  # wraps round
    assert _state(driver)[0][1] == "true"
    tabs[0].send_keys(Keys.END)
    assert _state(driver)[1][1] == "true"
    tabs[1].send_keys(Keys.HOME)
    assert _state(driver)[0][1] == "true"


def test_collapsed_callout_opens(driver, page_url: str):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver.get(page_url)
    body = driver.find_element(By.CSS_SELECTOR, "details.callout-warning .callout-body")
    assert not body.is_displayed()
    driver.find_element(By.CSS_SELECTOR, "details.callout-warning summary").click()
    assert body.is_displayed() and "Warning body." in body.text


def test_no_serious_accessibility_problems(driver, page_url: str, axe_source: str):  # noqa: F811
    driver.get(page_url)
    assert axe_violations(driver, axe_source) == []


def test_a_link_to_a_tab_opens_it(driver, page_url: str):  # noqa: F811
    driver.get(page_url + "#sec-table-view")
    assert _state(driver)[0][1:] == ["true", True]


def test_tabsets_of_one_group_switch_together(driver, page_url: str):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver.get(page_url)
    grouped = driver.find_elements(By.CSS_SELECTOR, '.panel-tabset[data-group="language"]')
    assert len(grouped) == 2
    grouped[0].find_elements(By.CSS_SELECTOR, '[role="tab"]')[1].click()  # "R" in the first
    selected = [
        [t.text for t in g.find_elements(By.CSS_SELECTOR, '[aria-selected="true"]')]
        for g in grouped
    ]
    assert selected == [["R"], ["R"]]
    assert "R two." in grouped[1].text and "Python two." not in grouped[1].text


MARGINS = """# Margins

::: {.panel-tabset}

## First

First body.

::: {.column-margin}
First margin.
:::

## Second

Second body.

::: {.column-margin}
Second margin.
:::

:::

::: {.callout-note collapse="true"}
## Folded

Folded body.

::: {.column-margin}
Folded margin.
:::
:::
"""


def test_margin_content_shows_with_its_tab_and_open_callout(
    driver,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
):
    from selenium.webdriver.common.by import By

    root = make_book(tmp_path_factory.mktemp("margins-browser") / "book", MARGINS)
    result = run(root, "build", "--quiet", "--to", "html")
    assert result.code == 0, result.err
    driver.get((root / "_book" / "one.html").as_uri())

    def shown(text: str) -> bool:
        return any(
            e.is_displayed()
            for e in driver.find_elements(By.CSS_SELECTOR, "aside.margin-note")
            if text in e.get_attribute("textContent")
        )

    assert shown("First margin.") and not shown("Second margin.") and not shown("Folded")
    driver.find_elements(By.CSS_SELECTOR, '[role="tab"]')[1].click()
    assert shown("Second margin.") and not shown("First margin.")
    driver.find_element(By.CSS_SELECTOR, "details.callout summary").click()
    assert shown("Folded margin.")
