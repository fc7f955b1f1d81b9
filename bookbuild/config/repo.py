"""The book's source repository (`book: repo-url:` and its options), for the HTML edition's
links to it, as Quarto's books make them.

`repo-url` puts a link to the repository among the book's tools (`repo-subdir` and
`repo-branch` point it at the book's folder); `repo-actions: [edit, source, issue]` adds
"Edit this page", "View source" and "Report an issue" links for each page (`issue-url`
replaces the last); `repo-link-target` and `repo-link-rel` become those links' `target` and
`rel`. A chapter's `repo-actions: false` (or `none`) leaves its page without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bookbuild.errors import BuildError

ACTIONS = ("edit", "source", "issue")
TEXT_KEYS = ("repo-url", "repo-subdir", "repo-branch", "repo-link-target", "repo-link-rel")
KEYS = (*TEXT_KEYS, "repo-actions", "issue-url")
DEFAULT_BRANCH = "main"  # Quarto's


@dataclass(frozen=True)
class Repo:
    url: str  # as written ("" with only an issue-url)
    subdir: str = ""  # "" or ending with "/"
    branch: str = DEFAULT_BRANCH
    actions: tuple[str, ...] = ()
    issue_url: str = ""
    target: str = ""
    rel: str = ""

    @property
    def base(self) -> str:
        return self.url.rstrip("/") + "/" if self.url else ""

    @property
    def home(self) -> str:
        """The address the book's tool links to: the repository, or its book folder."""
        if self.url and self.subdir:
            return f"{self.base}tree/{self.branch}/{self.subdir}"
        return self.url

    def action_urls(self, source: Path) -> list[tuple[str, str]]:
        """(action, address) of each repository action for the chapter at `source` (relative
        to the project root), in the order written. Quarto edits a notebook on github.dev."""
        path = f"{self.subdir}{PurePosixPath(*source.parts)}"
        links = []
        for action in self.actions:
            if action == "issue":
                links.append((action, self.issue_url or f"{self.base}issues/new"))
            elif not self.url:
                continue
            elif action == "source" or source.suffix != ".ipynb":
                verb = "blob" if action == "source" else "edit"
                links.append((action, f"{self.base}{verb}/{self.branch}/{path}"))
            elif "github.com" in self.url:
                dev = self.base.replace("github.com", "github.dev")
                links.append((action, f"{dev}blob/{self.branch}/{path}"))
        return links

    @property
    def icon(self) -> str:
        """Quarto's icon for the host: github, or git for any other."""
        return "github" if "github.com" in self.url else "git"


def _text(book: dict[str, Any], key: str, where: Callable[[str], tuple[Path, int | None]]) -> str:
    value = book.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BuildError(f"book option '{key}' must be text, got {value!r}", *where(key))
    return value.strip()


def actions_of(value: Any, what: str, path: Path, line: int | None) -> tuple[str, ...]:
    """`repo-actions:` as a tuple: a list of edit/source/issue, one of them, or
    false/none/[] for none."""
    if value in (False, None, "none", []):
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise BuildError(
            f"{what} 'repo-actions' must be a list of: {', '.join(ACTIONS)} (or false)", path, line
        )
    unknown = [i for i in items if i not in ACTIONS]
    if unknown:
        raise BuildError(
            f"{what} 'repo-actions': unknown action '{unknown[0]}' (use {', '.join(ACTIONS)})",
            path,
            line,
        )
    return tuple(dict.fromkeys(items))


def load_repo(
    book: dict[str, Any], path: Path, line_of: Callable[[str], int | None]
) -> Repo | None:
    """The book's repository links from its `book:` options (`line_of(key)`: the line of a
    key in `path`); None without `repo-url` (actions without it are an error, as Quarto
    writes none and warns)."""

    def where(key: str) -> tuple[Path, int | None]:
        return path, line_of(key)

    for key in (*TEXT_KEYS, "issue-url"):
        _text(book, key, where)
    actions = actions_of(book.get("repo-actions"), "book option", *where("repo-actions"))
    issue_url = _text(book, "issue-url", where)
    if issue_url and "issue" not in actions:
        actions = (*actions, "issue")  # as Quarto adds it
    url = _text(book, "repo-url", where)
    if not url:
        if actions and not issue_url:
            raise BuildError(
                "book option 'repo-actions' needs book: repo-url: (the repository's address)",
                *where("repo-actions"),
            )
        if not actions:
            return None
    subdir = _text(book, "repo-subdir", where).strip("/")
    return Repo(
        url=url,
        subdir=subdir + "/" if subdir else "",
        branch=_text(book, "repo-branch", where) or DEFAULT_BRANCH,
        actions=actions,
        issue_url=issue_url,
        target=_text(book, "repo-link-target", where),
        rel=_text(book, "repo-link-rel", where),
    )
