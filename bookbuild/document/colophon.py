"""The colophon: how the edition was made and how an examiner can check it.

Generated at build time (not executed in a kernel), so it always names the source revision
and the package versions of the edition it belongs to.
"""

from __future__ import annotations

from bookbuild.document.environment import Environment
from bookbuild.source.markdown_text import escape, pipe_table

PAGE = "colophon.qmd"

GUIDE = """\
## Examiner's guide {#sec-examiners-guide .unnumbered}

Every figure, table and number in this thesis is computed from the files in `data/raw/` by the
code in `analysis/`, called from the chapters' cells. Three commands, run in a fresh clone of
the source repository on a machine with Python 3.11, check that claim:

1. `make` creates the pinned environment and builds this edition into `_book/`.
2. `make test` runs the test suite: the statistics against independent computations, the
   data loaders against malformed inputs, the rendered HTML in a headless browser and the PDF's
   text, and every executed notebook re-run cell by cell (`nbval`).
3. `make verify` checks each raw data file against its SHA-256 in
   `data/raw/SHA256SUMS`, re-executes every chapter from scratch in an isolated cache, and
   compares every figure, table, inline value and file of the rebuilt edition with the one in
   `_book/`. It prints one row per item and exits with an error on any difference.

What each check proves: (1) that the sources build at all, with the recorded versions; (2)
that the analysis functions compute what their tests say, against reference values; (3) that
this edition is exactly what the raw data and the code produce — a changed data byte, a
changed function, an edited figure file or a number typed into a stored notebook all show up
as a mismatch.

Each figure and table in the HTML edition has a *Data and code* panel naming the cell that
produced it, the files its chapter read with their SHA-256, and a download of the plotted
data. `provenance.json` beside the pages holds the same for every item, inline values
included.
"""


def colophon_markdown(env: Environment) -> str:
    """The colophon page as Pandoc markdown (all computed text escaped)."""
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
            GUIDE,
        ]
    )
