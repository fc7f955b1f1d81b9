"""Typst's compiler is kept between compiles (`writers/pdf.compile_pdf`): a warm compile after
an edit gives the bytes a cold compile in a fresh process gives."""

from __future__ import annotations

import shutil
import subprocess
import sys

from bookbuild.writers import pdf

SOURCE = (
    '#set document(title: "Warm and cold")\n#set text(lang: "en")\n'
    "= One\n\nA paragraph, edit {n}, with Chinese text: 精准扶贫.\n\n"
    "= Two\n\n{more}\n"
)
EPOCH = 1_700_000_000


def _source(n: int) -> str:
    return SOURCE.format(n=n, more="Another paragraph. " * (40 + n))


def test_a_warm_compile_gives_a_cold_compile_s_bytes(tmp_path):
    warm = []
    for n in range(3):  # a new folder each time, as each build stages its edition afresh
        folder = tmp_path / f"staging-{n}"
        folder.mkdir()
        pdf.compile_pdf(_source(n), folder, folder / "thesis.pdf", EPOCH)
        warm.append((folder / "thesis.pdf").read_bytes())
        if n:
            shutil.rmtree(tmp_path / f"staging-{n - 1}")
    assert len(pdf._COMPILERS) == 1  # one compiler did all three
    assert len(set(warm)) == 3  # each edit made its own PDF
    cold = tmp_path / "cold"
    cold.mkdir()
    script = (
        "import sys\nfrom pathlib import Path\nfrom bookbuild.writers.pdf import compile_pdf\n"
        "folder = Path(sys.argv[1])\n"
        "compile_pdf(sys.stdin.read(), folder, folder / 'thesis.pdf', int(sys.argv[2]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(cold), str(EPOCH)],
        input=_source(2),
        text=True,
        check=True,
        timeout=120,
    )
    assert (cold / "thesis.pdf").read_bytes() == warm[-1]
    assert not (cold / "thesis.typ").exists()  # the source is not left in the edition
