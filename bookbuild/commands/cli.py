"""Command line: `thesis build | status | clean` (and `verify`, `preview` where available)."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import shutil
import sys
import traceback
from pathlib import Path

from bookbuild.errors import BuildError


def _formats(option: str) -> tuple[str, ...]:
    """The formats named by `--to` ("html,pdf"); an unknown one is an error."""
    formats = tuple(dict.fromkeys(f.strip() for f in option.split(",") if f.strip()))
    unknown = set(formats) - {"html", "pdf"}
    if unknown:
        raise BuildError(
            f"unknown format(s) for --to: {', '.join(sorted(unknown))} (choose html, pdf)"
        )
    if not formats:
        raise BuildError("--to names no format (choose html, pdf or html,pdf)")
    return formats


def _jobs(option: str) -> int:
    """`--jobs N`: a whole number, 1 or more."""
    if not option.isdigit() or int(option) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {option!r}")
    return int(option)


def _build(args: argparse.Namespace) -> int:
    from bookbuild.commands.build import build
    from bookbuild.commands.progress import Reporter

    build(
        Path(args.root),
        formats=_formats(args.to),
        jobs=args.jobs,
        use_cache=not args.no_cache,
        reporter=Reporter(quiet=args.quiet),
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    from bookbuild.commands.build import plan
    from bookbuild.config.project import load_book
    from bookbuild.source.qmd import read_qmd

    book = load_book(Path(args.root))
    runs = plan(book, [read_qmd(book.root, r.path) for r in book.chapters], use_cache=True)
    stale = 0
    for run in runs:
        if run.executed:
            stale += 1
            print(f"stale  {run.doc.path}: {'; '.join(run.reasons)}")
        elif run.notebook is None:
            print(f"prose  {run.doc.path}: no code, nothing to execute")
        else:
            print(f"fresh  {run.doc.path}")
    print(f"{stale} chapter(s) to execute")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from bookbuild.commands.progress import Reporter
    from bookbuild.commands.verify import format_table, verify

    rows = verify(Path(args.root), jobs=args.jobs, reporter=Reporter(quiet=args.quiet))
    shown = rows if args.all else [r for r in rows if not r.ok] or rows[:0]
    print(format_table(shown) if shown else f"all {len(rows)} checks ok")
    return 0 if all(r.ok for r in rows) else 1


def _clean(args: argparse.Namespace) -> int:
    from bookbuild.config.project import load_book
    from bookbuild.state import store
    from bookbuild.state.publish import build_lock, clean_stale_staging, remove_edition

    book = load_book(Path(args.root))  # output-dir checked as for a build
    output = book.output_dir
    state = book.root / store.STATE_DIR
    if state.is_symlink() or state.is_file():
        state.unlink()  # not a folder: cannot hold the lock, and is build state anyway
    with build_lock(book.root, check_state=False):  # not while a build is publishing
        remove_edition(output, book.root)
        clean_stale_staging(output)
        shutil.rmtree(book.root / store.FREEZE_DIR, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    print(f"removed {output.relative_to(book.root)}/, {store.FREEZE_DIR}/ and {store.STATE_DIR}/")
    return 0


def _preview(args: argparse.Namespace) -> int:
    from bookbuild.commands.preview import preview

    preview(Path(args.root), port=args.port, formats=_formats(args.to))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="thesis", description=__doc__)
    main.add_argument("--root", default=".", help="project folder (holds _quarto.yml)")
    main.add_argument(
        "--debug", action="store_true", help="on an error, also print the Python traceback"
    )
    sub = main.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="execute what changed and render HTML + PDF into _book/")
    b.add_argument("--to", default="html,pdf", help="formats: html, pdf or html,pdf")
    b.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=os.cpu_count() or 1,
        help="chapters executed in parallel (default: number of cores)",
    )
    b.add_argument("--no-cache", action="store_true", help="re-execute every chapter")
    b.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    b.set_defaults(func=_build)
    s = sub.add_parser("status", help="say which chapters are stale and why")
    s.set_defaults(func=_status)
    v = sub.add_parser(
        "verify",
        help="check raw data, re-execute everything in isolation and "
        "compare every output with the published edition",
    )
    v.add_argument("--jobs", "-j", type=_jobs, default=os.cpu_count() or 1)
    v.add_argument("--all", action="store_true", help="list passing checks too")
    v.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    v.set_defaults(func=_verify)
    p = sub.add_parser("preview", help="serve _book/ on localhost and rebuild on every change")
    p.add_argument("--port", type=int, default=4173, help="port on 127.0.0.1 (default 4173)")
    p.add_argument(
        "--to",
        default="html,pdf",
        help="formats rebuilt on change; the PDF follows the HTML (default html,pdf)",
    )
    p.set_defaults(func=_preview)
    c = sub.add_parser("clean", help="remove _book/, _freeze/ and build state")
    c.set_defaults(func=_clean)
    return main


_NOTHING_PUBLISHED = "nothing was published; the last good edition is untouched."


def _os_error(exc: OSError) -> str:
    """An environment fault as `FILE: what — what to do`."""
    where = f"{exc.filename}: " if exc.filename else ""
    what = exc.strerror or exc.__class__.__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        todo = "free some disk space and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        todo = "make it writable (or readable) for you and build again"
    else:
        todo = "fix the file or folder named and build again"
    return f"{where}{what} — {todo}"


def main(argv: list[str] | None = None) -> int:
    """Run one command; every fault ends in one `error:` line (`--debug`: with traceback)."""
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted; nothing was published.", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {_message(exc)}", file=sys.stderr)
        print(_NOTHING_PUBLISHED, file=sys.stderr)
        return 1


def _message(exc: Exception) -> str:
    """The one line a fault ends in: the author's problem, the environment's, or the build's."""
    if isinstance(exc, BuildError):
        return str(exc)
    if isinstance(exc, OSError):
        return _os_error(exc)
    return (
        f"internal error ({exc.__class__.__name__}: {exc}) — run again with --debug for "
        "the traceback, and report it"
    )


if __name__ == "__main__":
    sys.exit(main())
