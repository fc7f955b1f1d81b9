"""A Chinese web font for the HTML edition: Noto Sans SC cut down to the glyphs it uses.

The full font is 17 MB; the edition only needs the few hundred Han characters that occur in
its pages, so the build subsets it (fontTools) into one small WOFF2 file under `assets/` and a
stylesheet that declares it for `:lang(zh)` text. Readers need no system CJK font.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bookbuild.state import store
from bookbuild.writers.fonts import cjk_font_dir

FAMILY = "Noto Sans SC (subset)"
FONT_FILE = "assets/fonts/noto-sans-sc-subset.woff2"  # regular (400)
BOLD_FONT_FILE = "assets/fonts/noto-sans-sc-subset-bold.woff2"  # bold (700): real bold, not
# the browser's smeared imitation; fetched only by a page that sets Chinese text in bold
CSS_FILE = "assets/fonts/cjk.css"
# CJK ideographs, punctuation and full-width forms: what falls back to the CJK font.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2e80-\u2fdf]")


# Quotation marks that Chinese shares with Latin text: in `:lang(zh)` text they come from the
# CJK face, full width (GB/T 15834), not from the Latin fallback, so the subset carries them.
_SHARED_MARKS = "\u2018\u2019\u201c\u201d"


def cjk_characters(texts: list[str]) -> str:
    """The distinct CJK characters in `texts`, sorted (so the subset is deterministic), with
    the shared quotation marks when there are any."""
    found = {c for text in texts for c in _CJK.findall(text)}
    return "".join(sorted(found | set(_SHARED_MARKS))) if found else ""


def subset_font(characters: str, weight: int = 400) -> bytes:
    """Noto Sans SC reduced to `characters`, at `weight` (400 regular, 700 bold), as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    source = next(cjk_font_dir().glob("NotoSansSC*.ttf"))
    font = TTFont(source, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)  # subset first: instancing the full 17 MB font takes minutes
    if "fvar" in font:
        font = instancer.instantiateVariableFont(font, {"wght": weight})
    out = io.BytesIO()
    font.recalcTimestamp = False  # keep the source's dates: same characters, same bytes
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def is_whole_woff2(data: bytes) -> bool:
    """True when `data` has WOFF2's signature and is as long as its header says (a truncated
    or overwritten cache entry is neither)."""
    return (
        len(data) >= 48 and data[:4] == b"wOF2" and int.from_bytes(data[8:12], "big") == len(data)
    )


def _cached(characters: str, weight: int, cache_dir: Path | None) -> Path | None:
    key = store.sha256(f"{weight}\0{characters}")[:16]
    return cache_dir / store.webfont_file(key).name if cache_dir else None


def _stored(characters: str, weight: int, cache_dir: Path | None) -> bytes | None:
    cached = _cached(characters, weight, cache_dir)
    return store.read_bytes(cached, is_whole_woff2, "web-font cache entry") if cached else None


def _store(characters: str, weight: int, cache_dir: Path | None, data: bytes) -> None:
    cached = _cached(characters, weight, cache_dir)
    if cached:
        store.atomic_write(cached, data)  # a killed build never leaves half a font behind


FACES = ((400, FONT_FILE), (700, BOLD_FONT_FILE))


class WebFont:
    """The edition's web font being made: `start_webfont` begins it, `finish` writes it.

    A subset that is not stored is made by a process of its own (fontTools is pure Python
    and takes seconds a weight), so both weights are made at once, and while the build goes
    on to the PDF. A process that fails is made up for here, in `finish`."""

    def __init__(self, out: Path, characters: str, cache_dir: Path | None) -> None:
        self.out, self.characters, self.cache_dir = out, characters, cache_dir
        self._tmp = tempfile.TemporaryDirectory(prefix="bb-webfont-")
        self.making: dict[int, subprocess.Popen[bytes]] = {}
        self.stored: list[bytes | None] = [None] * len(FACES)
        if not characters:
            return
        self.stored = [_stored(characters, weight, cache_dir) for weight, _ in FACES]
        (Path(self._tmp.name) / "characters.txt").write_text(characters, "utf-8")
        for (weight, _), data in zip(FACES, self.stored, strict=True):
            if data is None:
                self.making[weight] = subprocess.Popen(
                    [sys.executable, "-m", __name__, str(weight), self._tmp.name],
                    cwd=Path(__file__).resolve().parents[2],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )

    def finish(self) -> str:
        """Wait for the subsets, write them and their stylesheet; the characters."""
        try:
            return _write(self.out, self.characters, self._subsets() if self.characters else [])
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop what is still being made (the build failed) and remove the work folder."""
        for process in self.making.values():
            if process.poll() is None:
                process.kill()
            process.wait()
        self.making.clear()
        self._tmp.cleanup()

    def _subsets(self) -> list[bytes]:
        out = []
        for (weight, _), data in zip(FACES, self.stored, strict=True):
            if data is None:
                process = self.making.pop(weight)
                made = _read(Path(self._tmp.name) / f"{weight}.woff2")
                if process.wait() != 0 or not is_whole_woff2(made):
                    made = subset_font(self.characters, weight)  # made here after all
                _store(self.characters, weight, self.cache_dir, made)
                data = made
            out.append(data)
        return out


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def start_webfont(out: Path, pages: list[Path], cache_dir: Path | None = None) -> WebFont:
    """Begin the edition's web font for the CJK characters of `pages` (see `WebFont`)."""
    return WebFont(out, cjk_characters([p.read_text("utf-8") for p in pages]), cache_dir)


def write_webfont(out: Path, pages: list[Path], cache_dir: Path | None = None) -> str:
    """Write the subset fonts (regular and bold) and their stylesheet into the edition;
    returns the characters.

    Subsetting takes seconds, so the results are kept in `cache_dir` keyed on the characters.
    """
    return start_webfont(out, pages, cache_dir).finish()


def _write(out: Path, characters: str, subsets: list[bytes]) -> str:
    css = out / CSS_FILE
    css.parent.mkdir(parents=True, exist_ok=True)
    if not characters:
        css.write_text("/* no Chinese text in this edition */\n", "utf-8")
        return ""
    faces = []
    for (weight, name), data in zip(FACES, subsets, strict=True):
        (out / name).write_bytes(data)
        faces.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n'
            f'  src: url("{Path(name).name}") format("woff2");\n'
            f"  font-weight: {weight};\n"
            "  font-display: swap;\n"
            "}\n"
        )
    licence = next(cjk_font_dir().glob("OFL.txt"), None)
    if licence:  # the OFL asks that the licence travel with the font
        (out / FONT_FILE).with_name("OFL.txt").write_bytes(licence.read_bytes())
    css.write_text(
        "/* Noto Sans SC (SIL Open Font License), subset to the characters of this edition. */\n"
        + "".join(faces)
        + f':lang(zh) {{ font-family: "{FAMILY}", sans-serif; }}\n',
        "utf-8",
    )
    return characters


if __name__ == "__main__":  # `python -m bookbuild.writers.webfont WEIGHT FOLDER` (`WebFont`)
    folder = Path(sys.argv[2])
    chars = (folder / "characters.txt").read_text("utf-8")
    (folder / f"{sys.argv[1]}.woff2").write_bytes(subset_font(chars, int(sys.argv[1])))
