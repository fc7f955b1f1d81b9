"""`python -m bookbuild` runs the command line."""

import sys

from bookbuild.commands.cli import main

sys.exit(main())
