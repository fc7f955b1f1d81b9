"""Figure text is real text in the body's face (Libertinus Serif), in both editions.

The PDF: a figure's axis and tick labels are found by `pdftotext`, and no figure brings a
Type 3 or DejaVu Sans font (the fonts are the body's). The SVG files (which the HTML edition
shows as images): text elements in the face, with an embedded subset that covers every
character they use; in Chromium the subset is what draws the text (its measured width is the
one the font's own advance widths give). Plus the font's extraction from the typst wheel.

Sizes (issue #14): in Chromium at 390 px every figure's smallest text is at least 9 CSS px (the
figure is shown no narrower than that needs and scrolls sideways in its frame); in the PDF,
which shows a figure as wide as the text, no figure text is below 7 pt or above the body's.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text
from fontTools.ttLib import TTFont
from test_browser import axe_source, browser_binaries, driver  # noqa: F401

from analysis import typeface

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "_book"
FONT_FACE = re.compile(r"src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)")


def _built(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"no built edition ({path.relative_to(REPO)}): run `make` first")
    return path


def _figures() -> list[Path]:
    found = sorted(_built(BOOK / "figures").glob("fig-*.svg"))
    assert found, "the edition has no figures"
    return found


def _texts(svg: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", body))
        for body in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    ]


# ---- the font ------------------------------------------------------------------------------


def test_the_figure_font_is_typsts_libertinus_serif_regular():
    font = TTFont(io.BytesIO(typeface.font_bytes()))
    assert font["name"].getDebugName(1) == "Libertinus Serif"
    assert font["name"].getDebugName(2) == "Regular"
    assert font.sfntVersion == "OTTO" and "CFF " in font
    assert typeface.font_file().read_bytes() == typeface.font_bytes()


def test_the_face_is_found_once_and_a_damaged_copy_is_never_used(tmp_path, monkeypatch):
    """The face found in the wheel is kept, indexed by the library's path, size and time, and
    used while it hashes to its digest; a damaged copy or another library means a new search."""
    import matplotlib as mpl

    monkeypatch.setattr(mpl, "get_cachedir", lambda: str(tmp_path))
    library = typeface._library()
    reads = []
    real = Path.read_bytes

    def counting(path: Path) -> bytes:
        if path == library:
            reads.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    found = typeface.font_bytes.__wrapped__()
    assert len(reads) == 1 and found[:4] == b"OTTO"
    assert typeface.font_bytes.__wrapped__() == found and len(reads) == 1  # kept: not read
    kept = next(tmp_path.glob("libertinus-serif-*.otf"))
    kept.write_bytes(found[:-1] + bytes([found[-1] ^ 1]))  # one bit damaged
    assert typeface.font_bytes.__wrapped__() == found and len(reads) == 2  # searched again
    assert kept.read_bytes() == found  # and mended
    index = tmp_path / typeface._INDEX
    index.write_text(index.read_text("utf-8").replace("|", "|9", 1), "utf-8")  # another library
    assert typeface.font_bytes.__wrapped__() == found and len(reads) == 3


def test_fonts_are_cut_from_a_blob_by_their_table_directory():
    one = io.BytesIO()
    TTFont(io.BytesIO(typeface.font_bytes())).save(one)
    blob = b"\x00" * 37 + one.getvalue() + b"OTTO\x00\x03 not a font" + b"\xff" * 11
    found = typeface._fonts_in(blob)
    assert found == [one.getvalue()]


def test_an_svg_without_text_is_left_alone():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><defs></defs><rect/></svg>'
    assert typeface.embed_font(svg) == svg


def test_the_embedded_subset_covers_the_text_and_is_deterministic():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">Share &amp; ρ χ² 2017–2019'
        "</text></svg>"
    )
    first, second = typeface.embed_font(svg), typeface.embed_font(svg)
    assert first == second
    subset = TTFont(io.BytesIO(base64.b64decode(FONT_FACE.search(first)[1])))
    cmap = subset.getBestCmap()
    assert {ord(c) for c in "Share & ρ χ² 2017–2019"} <= set(cmap)
    assert ord("Z") not in cmap  # a subset, not the whole face


# ---- the PDF --------------------------------------------------------------------------------


def test_pdf_finds_figure_axis_and_tick_labels():
    text = pdf_text(_built(BOOK / "thesis.pdf"))
    assert "Share of answers (%)" in text  # the Likert figure's x axis label
    assert "strongly disagree disagree neutral agree strongly agree" in text  # its legend
    assert "Rural poor population (million persons)" in text  # the national figure's y axis


def test_pdf_figures_bring_no_type3_or_dejavu_sans_font():
    listing = subprocess.run(
        ["pdffonts", str(_built(BOOK / "thesis.pdf"))], capture_output=True, text=True, check=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows
    assert not [r for r in rows if "Type 3" in r]
    assert not [r for r in rows if "DejaVuSans" in r and "DejaVuSansMono" not in r]
    assert any("LibertinusSerif-Regular" in r for r in rows)


# ---- the SVG files (the HTML edition's images and the downloads) -----------------------------


@pytest.mark.parametrize("svg_path", _figures() if (BOOK / "figures").is_dir() else [])
def test_every_figure_is_text_in_the_body_face_with_its_subset(svg_path: Path):
    svg = svg_path.read_text("utf-8")
    texts = [t for t in _texts(svg) if t.strip()]
    assert texts, svg_path.name
    styles = re.findall(r"<text\b[^>]*style=\"([^\"]*)\"", svg)
    assert styles and all("font-family: 'Libertinus Serif'" in s for s in styles), svg_path.name
    faces = FONT_FACE.findall(svg)
    assert len(faces) == 1, svg_path.name
    cmap = TTFont(io.BytesIO(base64.b64decode(faces[0]))).getBestCmap()
    missing = {c for c in "".join(texts) if ord(c) not in cmap and not c.isspace()}
    assert not missing, f"{svg_path.name}: the embedded face lacks {sorted(missing)}"


@pytest.mark.browser
def test_chromium_draws_figure_text_with_the_embedded_face(driver):  # noqa: F811
    """Opened in Chromium, a label's width is what the face's own advance widths give."""
    svg_path = _built(BOOK / "figures" / "fig-likert-items.svg")
    driver.get(svg_path.as_uri())
    found = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => {
          const faces = [...document.fonts].map(f => [f.family.replace(/"/g, ''), f.status]);
          const label = [...document.querySelectorAll('text')]
            .find(t => t.textContent === 'Share of answers (%)');
          const size = parseFloat(getComputedStyle(label).fontSize);
          done({faces, width: label.getComputedTextLength(), size});
        });
        """
    )
    assert ["Libertinus Serif", "loaded"] in found["faces"]
    font = TTFont(io.BytesIO(typeface.font_bytes()))
    cmap, widths = font.getBestCmap(), font["hmtx"].metrics
    units = sum(widths[cmap[ord(c)]][0] for c in "Share of answers (%)")
    expected = units * found["size"] / font["head"].unitsPerEm
    assert found["width"] == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("svg_path", _figures() if (BOOK / "figures").is_dir() else [])
def test_no_variable_codes_or_cut_labels_in_figures(svg_path: Path):
    texts = _texts(svg_path.read_text("utf-8"))
    codes = [t for t in texts if re.search(r"\b[a-z]+_[a-z0-9_]+\b", t)]  # prob_6, assist_...
    assert not codes, f"{svg_path.name}: {codes}"
    cut = [t for t in texts if "\u2026" in t or t.rstrip().endswith("...")]
    assert not cut, f"{svg_path.name}: {cut}"


def _figure_pages() -> dict[str, list[str]]:
    """Each page of the edition that shows figures -> the SVG figures it shows."""
    found: dict[str, list[str]] = {}
    for page in sorted(BOOK.glob("*.html")):
        names = re.findall(r'<img src="figures/(fig-[^"]+\.svg)"', page.read_text("utf-8"))
        if names:
            found[page.name] = names
    return found


def _smallest_text(svg: str) -> float:
    """The smallest font size of an SVG's text, as a share of its viewBox's width."""
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg)[1])
    sizes = [float(s) for s in re.findall(r"<text\b[^>]*font-size: ([\d.]+)px", svg)]
    assert sizes
    return min(sizes) / view_width


PHONE = (390, 844)


@pytest.mark.browser
@pytest.mark.parametrize("page", sorted(_figure_pages()) if BOOK.is_dir() else [])
def test_every_figures_text_is_at_least_9_css_px_on_a_390_px_phone(
    driver,  # noqa: F811
    axe_source,  # noqa: F811
    page: str,
):
    """The smallest text of every figure (its SVG font size x the drawn width / the viewBox
    width) is >= 9 CSS px at 390 px; a figure wider than the column scrolls inside its link
    (the page itself does not scroll sideways, axe finds nothing) and the link still opens
    it full size."""
    from test_browser import axe_violations, viewport

    viewport(driver, PHONE)
    try:
        driver.get(_built(BOOK / page).as_uri())
        shown = driver.execute_script(
            """
            const out = {page: document.scrollingElement.scrollWidth, figures: {}};
            for (const img of document.querySelectorAll('figure a.figure-zoom > img')) {
              const s = getComputedStyle(img), link = img.parentElement;
              const edges = ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth']
                .reduce((sum, k) => sum + parseFloat(s[k]), 0);
              out.figures[img.getAttribute('src')] = {
                drawn: img.getBoundingClientRect().width - edges,
                scrolls: link.scrollWidth > link.clientWidth,
                href: link.getAttribute('href'),
              };
            }
            return out;
            """
        )
        violations = axe_violations(driver, axe_source)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert shown["page"] <= PHONE[0], f"{page} scrolls sideways"
    assert violations == [], violations
    for name in _figure_pages()[page]:
        figure = shown["figures"][f"figures/{name}"]
        smallest = _smallest_text((BOOK / "figures" / name).read_text("utf-8")) * figure["drawn"]
        assert smallest >= 8.99, (page, name, figure, f"{smallest:.2f} px")
        assert figure["scrolls"] and figure["href"] == f"figures/{name}", (name, figure)


@pytest.mark.parametrize("svg_path", _figures() if (BOOK / "figures").is_dir() else [])
def test_pdf_prints_figure_text_between_7_pt_and_the_body_size(svg_path: Path):
    """The PDF shows a figure as wide as the text (thesis.typ); its text, scaled so, is no
    smaller than 7 pt and no larger than the body's type."""
    from bookbuild.config.layout import load_layout

    layout = load_layout(REPO)
    svg = svg_path.read_text("utf-8")
    scale = (
        layout.text_width_mm
        * 72
        / 25.4
        / float(re.search(r'<svg\b[^>]*width="([\d.]+)pt"', svg)[1])
    )
    sizes = [float(s) * scale for s in re.findall(r"<text\b[^>]*font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 7 and max(sizes) <= layout.fontsize, (svg_path.name, scale)
