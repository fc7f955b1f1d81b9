"""Fonts from pip packages: where the Chinese fonts live, checked once.

Noto Sans SC as a variable font (`justmytype-intl-cjk`): the HTML edition ships regular and bold
subsets of it. Noto Serif SC and Noto Sans SC as static Regular faces (`pylopdf-fonts-zh-cn`):
the PDF's Chinese body text in the serif, beside the serif Latin, and Chinese in code in the sans.
"""

from __future__ import annotations

from pathlib import Path

from bookbuild.errors import BuildError

CJK_FONT = "Noto Sans SC"
CJK_PACKAGE = "justmytype-intl-cjk"
CJK_SERIF_FONT = "Noto Serif SC"
CJK_SERIF_PACKAGE = "pylopdf-fonts-zh-cn"
# Chinese text in the PDF: Libertinus Serif only for what is Latin and not shared with CJK
# (Typst's "latin-in-cjk"), so the quotation marks, dashes and ellipses that both scripts use
# come from Noto Serif SC, full width, as Chinese typesetting sets them (GB/T 15834).
TYPST_ZH_FONTS = '((name: "Libertinus Serif", covers: "latin-in-cjk"), "Noto Serif SC")'


def _cjk_package_dir() -> Path | None:
    """Where `justmytype-intl-cjk` keeps Noto Sans SC, or None when it is not installed."""
    try:
        import justmytype_intl_cjk
    except ImportError:
        return None
    return Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"


def cjk_font_dir() -> Path:
    """Folder holding Noto Sans SC; a `BuildError` naming the font when Typst cannot find it."""
    folder = _cjk_package_dir()
    if folder is None:
        raise BuildError(
            f"the CJK font '{CJK_FONT}' is missing: install the '{CJK_PACKAGE}' "
            "package (run `make`); without it Chinese text would print as "
            "empty boxes"
        )
    if not any(folder.glob("NotoSansSC*.[ot]tf")):
        raise BuildError(
            f"the CJK font '{CJK_FONT}' was not found in {folder}: reinstall "
            f"'{CJK_PACKAGE}'; without it Chinese text would print as empty boxes"
        )
    import typst

    families = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(folder)]
    ).families()
    if CJK_FONT not in families:
        raise BuildError(
            f"Typst cannot read the CJK font '{CJK_FONT}' in {folder} "
            f"(found: {', '.join(families) or 'nothing'}); reinstall "
            f"'{CJK_PACKAGE}'"
        )
    return folder


def cjk_pdf_dir() -> Path:
    """Folder holding the PDF's Chinese fonts, Noto Serif SC (body) and Noto Sans SC (code),
    both static Regular faces; a `BuildError` naming the package when they are missing."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        raise BuildError(
            f"the CJK font '{CJK_SERIF_FONT}' is missing: install the "
            f"'{CJK_SERIF_PACKAGE}' package (run `make`); without it Chinese text "
            "in the PDF would print as empty boxes"
        ) from None
    folder = Path(pylopdf_fonts_zh_cn.serif_path()).parent
    import typst

    families = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(folder)]
    ).families()
    if not {CJK_FONT, CJK_SERIF_FONT} <= set(families):
        raise BuildError(
            f"Typst cannot read the CJK fonts '{CJK_SERIF_FONT}' and '{CJK_FONT}' "
            f"in {folder} (found: {', '.join(families) or 'nothing'}); reinstall "
            f"'{CJK_SERIF_PACKAGE}'"
        )
    return folder
