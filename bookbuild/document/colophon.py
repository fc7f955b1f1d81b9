"""The colophon: how the edition was made, and the book's own guide to checking it.

Generated at build time (not executed in a kernel), so it always names the source revision
and the package versions of the edition it belongs to. The book's own text for the page (for
a thesis, an examiner's guide) comes from the file `bookbuild: colophon-guide:` names.
"""

from __future__ import annotations

from bookbuild.document.environment import Environment
from bookbuild.source.markdown_text import escape, pipe_table

PAGE = "colophon.qmd"


def colophon_markdown(env: Environment, guide: str = "") -> str:
    """The colophon page as Pandoc markdown (all computed text escaped), `guide` (the book's
    own markdown) after the table."""
    versions = env["versions"]
    table = pipe_table(
        ["Software", "Version"],
        [[name, str(versions[name])] for name in sorted(versions)],
        "Software that built this edition",
    )
    return "\n".join(
        [
            "# Colophon {#sec-colophon .unnumbered}",
            "",
            f"This edition was built from source revision {escape(str(env['source_revision']))}, "
            f"dated {escape(str(env['source_date']))}. The build executes the chapters' Python "
            "cells in Jupyter kernels, converts the text with Pandoc and typesets the PDF with "
            "Typst, all installed from the pinned `requirements.lock`.",
            "",
            table,
            *([guide] if guide else []),
        ]
    )
