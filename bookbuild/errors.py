"""The one exception type the build raises for problems in the author's sources or data."""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    """A problem the author can fix: names the file and line, then says what is wrong.

    `path` is relative to the project root when possible; `line` is 1-based. `detail`
    carries extra lines (a traceback, a list of problems) printed after the message.
    """

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        detail: str = "",
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.detail = detail
        super().__init__(str(self))

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        head = f"{self.where}: {self.message}" if self.where else self.message
        return f"{head}\n{self.detail.rstrip()}" if self.detail else head


def relative(path: Path, root: Path) -> Path:
    """`path` relative to `root` where possible, for short error messages."""
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def line_holding(source: str, needle: str, after: int = 0) -> int | None:
    """The first line (1-based) of `source` after line `after` that holds `needle`: where an
    error about it points; None when no line does."""
    for number, line in enumerate(source.splitlines(), start=1):
        if number > after and needle in line:
            return number
    return None
