"""Fonts from pip packages: where Noto Sans SC (`justmytype-intl-cjk`) lives, checked once.

Both writers need it: Typst embeds it in the PDF, the HTML edition ships a subset of it.
"""

from __future__ import annotations

from pathlib import Path

from bookbuild.errors import BuildError

CJK_FONT = "Noto Sans SC"
CJK_PACKAGE = "justmytype-intl-cjk"


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
        raise BuildError(f"the CJK font '{CJK_FONT}' is missing: install the '{CJK_PACKAGE}' "
                         "package (run `make`); without it Chinese text would print as "
                         "empty boxes")
    if not any(folder.glob("NotoSansSC*.[ot]tf")):
        raise BuildError(f"the CJK font '{CJK_FONT}' was not found in {folder}: reinstall "
                         f"'{CJK_PACKAGE}'; without it Chinese text would print as empty boxes")
    import typst

    families = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                           font_paths=[str(folder)]).families()
    if CJK_FONT not in families:
        raise BuildError(f"Typst cannot read the CJK font '{CJK_FONT}' in {folder} "
                         f"(found: {', '.join(families) or 'nothing'}); reinstall "
                         f"'{CJK_PACKAGE}'")
    return folder
