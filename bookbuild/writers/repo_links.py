"""The HTML edition's links to the book's source repository (`bookbuild.config.repo`).

Quarto's markup, so its readers' and its tests' selectors hold: the book's tool is
`a.quarto-navigation-tool` (with the `target` and `rel` the book asks for), and a page's
actions are `div.toc-actions > ul > li > a.toc-action`. The icons are drawn here (the pages
load no icon font).
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path
from typing import Any

from bookbuild.config.repo import Repo

_WORDS = {  # Quarto's English words, and its language keys for them
    "source-code": ("code-tools-source-code", "Source Code"),
    "edit": ("repo-action-links-edit", "Edit this page"),
    "source": ("repo-action-links-source", "View source"),
    "issue": ("repo-action-links-issue", "Report an issue"),
}
_STROKE = 'stroke="currentColor" stroke-width="1.5" stroke-linecap="round" fill="none"'
_ICONS = {
    # a branch: two commits on a line and one off it
    "repo": f'<circle cx="4.5" cy="3.5" r="1.8" {_STROKE}/><circle cx="4.5" cy="12.5" r="1.8" '
    f'{_STROKE}/><circle cx="11.5" cy="5" r="1.8" {_STROKE}/><path d="M4.5 5.3v5.4M11.5 6.8c0 '
    f'2.7-3 2.7-6.2 4.2" {_STROKE}/>',
    "edit": f'<path d="M3 13l1-3.5 7-7 2.5 2.5-7 7z M9.5 4l2.5 2.5" {_STROKE}/>',
    "source": f'<path d="M6 4.5L2.5 8 6 11.5M10 4.5L13.5 8 10 11.5" {_STROKE}/>',
    "issue": f'<path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" {_STROKE}/>',
}


def _icon(name: str) -> str:
    return (
        f'<svg class="repo-icon" aria-hidden="true" focusable="false" width="16" height="16" '
        f'viewBox="0 0 16 16">{_ICONS[name]}</svg>'
    )


def _word(key: str, words: dict[str, str]) -> str:
    language_key, english = _WORDS[key]
    return words.get(language_key, english)


def _link_attrs(repo: Repo) -> str:
    attrs = f' target="{html.escape(repo.target)}"' if repo.target else ""
    return attrs + (f' rel="{html.escape(repo.rel)}"' if repo.rel else "")


def repo_tool(repo: Repo | None, words: dict[str, str]) -> str:
    """The book's link to its repository, for the top bar ("" without `repo-url`)."""
    if repo is None or not repo.home:
        return ""
    label = html.escape(_word("source-code", words))
    return (
        f'<a class="quarto-navigation-tool repo-tool" href="{html.escape(repo.home)}" '
        f'title="{label}" aria-label="{label}"{_link_attrs(repo)}>{_icon("repo")}</a>'
    )


def chapter_repo(repo: Repo | None, meta: dict[str, Any]) -> Repo | None:
    """The book's repository links with a chapter's own `repo-actions:` (a list, or false
    or none for no links on its page) in place of the book's."""
    if repo is None or "repo-actions" not in meta:
        return repo
    value = meta["repo-actions"]
    chosen = () if value in (False, None, "none") else value
    return replace(repo, actions=tuple([chosen] if isinstance(chosen, str) else chosen))


def repo_actions(repo: Repo | None, source: Path, words: dict[str, str]) -> str:
    """A page's repository actions for its chapter at `source` ("" when it has none)."""
    if repo is None:
        return ""
    links = repo.action_urls(source)
    if not links:
        return ""
    items = "".join(
        f'<li><a class="toc-action" href="{html.escape(url)}"{_link_attrs(repo)}>'
        f"{_icon(action)}{html.escape(_word(action, words))}</a></li>"
        for action, url in links
    )
    return f'<div class="toc-actions"><ul>{items}</ul></div>'
