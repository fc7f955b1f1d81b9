"""`python -m bookbuild` runs the command line."""

import sys

from bookbuild.cli import main

sys.exit(main())
