"""bookbuild: render a Quarto book to an HTML edition and a PDF with pip-installable engines.

Jupyter (nbclient) executes the Python cells, Pandoc parses markdown and resolves citations,
Typst typesets the PDF. The sources stay valid Quarto; this package implements the subset the
thesis uses and rejects anything else with an error that names the file and line.
"""

from pathlib import Path

__version__ = "0.1.1"

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed `bookbuild` folder: its templates, assets and own code (hashed into cache keys)."""
