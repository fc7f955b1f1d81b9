"""Write a synthetic book project of a chosen size, for timing the build as books grow.

`python bench/synthetic_book.py OUT --chapters 40 --figures 200` writes `_quarto.yml`, a
preface, OUT/chapters/NN-chapter.qmd and a small seeded data file. Figures are spread as
evenly as possible over the chapters; every chapter has prose, an inline value, a table, a
cross-reference to its own first figure and to the previous chapter, and imports a small
project module (so the cache tracks a module and a data file, as in the thesis). The content
is generated, not real: it only exercises the build.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

PROSE = (
    "This paragraph is generated filler that gives the chapter some running text for "
    "Pandoc to parse and the PDF to typeset; it carries no findings. "
)


def figures_per_chapter(chapters: int, figures: int) -> list[int]:
    """Split `figures` over `chapters` as evenly as possible (earlier chapters get the rest)."""
    if chapters < 1 or figures < 0:
        raise ValueError(
            f"need at least one chapter and no negative figures, got "
            f"{chapters} chapters and {figures} figures"
        )
    base, extra = divmod(figures, chapters)
    return [base + (1 if i < extra else 0) for i in range(chapters)]


def chapter_source(number: int, n_figures: int) -> str:
    """The .qmd text of chapter `number` (1-based) with `n_figures` matplotlib figures."""
    lines = [f"# Synthetic chapter {number} {{#sec-ch{number}}}", ""]
    lines += [
        "```{python}",
        "#| include: false",
        "import numpy as np",
        "import matplotlib.pyplot as plt",
        "import pandas as pd",
        "import synthlib",
        "series = pd.read_csv('data/series.csv')",
        f"scale = synthlib.scale({number})",
        "```",
        "",
    ]
    refs = f"see @fig-c{number}-1" if n_figures else "it has no figures"
    back = f" and @sec-ch{number - 1}" if number > 1 else ""
    lines += [PROSE * 3 + f"The scale here is `{{python}} f'{{scale:.2f}}'`; {refs}{back}.", ""]
    for k in range(1, n_figures + 1):
        lines += [
            "```{python}",
            f"#| label: fig-c{number}-{k}",
            f'#| fig-cap: "Synthetic series {k} of chapter {number}"',
            f'#| fig-alt: "A generated line chart, series {k} of chapter {number}."',
            "fig, ax = plt.subplots(figsize=(4, 2.5))",
            f"ax.plot(series.x, series.y * scale + {k})",
            "ax.set_xlabel('x')",
            "ax.set_ylabel('y');",
            "```",
            "",
            PROSE,
            "",
        ]
    lines += [
        f"## Summary of chapter {number} {{#sec-ch{number}-summary}}",
        "",
        f"Table @tbl-c{number} summarises the series.",
        "",
        "```{python}",
        f"#| label: tbl-c{number}",
        f'#| tbl-cap: "Summary of chapter {number}"',
        "series.describe().round(2).reset_index()",
        "```",
        "",
        PROSE,
        "",
    ]
    return "\n".join(lines)


def write_book(out: Path, chapters: int, figures: int) -> Path:
    """Write the project into `out` (replaced if it exists); return `out`."""
    spread = figures_per_chapter(chapters, figures)
    if out.exists():
        shutil.rmtree(out)
    (out / "chapters").mkdir(parents=True)
    (out / "data").mkdir()
    names = [f"chapters/{i:02d}-chapter.qmd" for i in range(1, chapters + 1)]
    config = [
        "project:",
        "  type: book",
        "book:",
        f'  title: "Synthetic book: {chapters} chapters, {figures} figures"',
        '  author: "bench/synthetic_book.py"',
        '  date: "2026-01-01"',
        "  chapters:",
        "    - index.qmd",
        *[f"    - {name}" for name in names],
        "lang: en",
        "execute:",
        "  echo: false",
        "",
    ]
    (out / "_quarto.yml").write_text("\n".join(config), "utf-8")
    (out / "index.qmd").write_text(
        "# Preface {.unnumbered}\n\nA generated book for timing the build; nothing in it is "
        "real.\n",
        "utf-8",
    )
    (out / "synthlib.py").write_text(
        '"""A project module the synthetic chapters import."""\n\n\n'
        "def scale(number: int) -> float:\n"
        '    """A per-chapter factor (unitless)."""\n'
        "    return 1.0 + number / 10\n",
        "utf-8",
    )
    rows = ["x,y", *[f"{x},{(x * 37) % 11}" for x in range(30)]]
    (out / "data" / "series.csv").write_text("\n".join(rows) + "\n", "utf-8")
    for number, (name, n_fig) in enumerate(zip(names, spread, strict=True), start=1):
        (out / name).write_text(chapter_source(number, n_fig), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the project into (replaced)")
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--figures", type=int, default=200)
    args = parser.parse_args(argv)
    write_book(args.out, args.chapters, args.figures)
    print(f"wrote {args.out} ({args.chapters} chapters, {args.figures} figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
