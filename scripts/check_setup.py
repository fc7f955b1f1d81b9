"""Check what `make` needs before it creates the virtual environment; one line per problem.

Run by `make` with the interpreter it is about to use (`make PYTHON=python3.12`). Written so
that old interpreters can run it too: a Python that is too old must be able to say so.
"""

import shutil
import sys

SUPPORTED = ((3, 11), (3, 13))  # oldest and newest minor versions; pyproject says the same
TOOLS = {
    "npm": "install Node.js with npm (Debian/Ubuntu: apt-get install npm; or nodejs.org)",
    "make": "install make (Debian/Ubuntu: apt-get install make)",
}


def python_problem(version=sys.version_info):  # type: (tuple) -> str | None
    """A one-line message when `version` is outside the supported range, else None."""
    low, high = SUPPORTED
    if low <= tuple(version[:2]) <= high:
        return None
    return (
        "Python {0}.{1} cannot build this thesis: it needs Python {2}.{3} to {4}.{5}; "
        "run `make PYTHON=python3.{5}` with one of those installed (python.org, your "
        "package manager, pyenv or uv)".format(
            version[0], version[1], low[0], low[1], high[0], high[1]
        )
    )


def venv_problem():  # type: () -> str | None
    """A one-line message when this interpreter lacks `venv`/`ensurepip` (Debian splits them)."""
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        return (
            "Python {0}.{1} has no venv module: install it (Debian/Ubuntu: apt-get install "
            "python3-venv)".format(*sys.version_info[:2])
        )
    return None


def tool_problems(which=None):  # type: (object) -> list
    """One message per missing command-line tool (`which` defaults to `shutil.which`)."""
    which = which or shutil.which
    return [
        "`{0}` is not installed: {1}".format(name, hint)
        for name, hint in sorted(TOOLS.items())
        if which(name) is None
    ]


def main():  # type: () -> int
    too_old = python_problem()  # first and alone: an old Python may lack what the rest uses
    problems = [too_old] if too_old else [p for p in [venv_problem()] if p] + tool_problems()
    for problem in problems:
        sys.stderr.write("set-up: " + problem + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
