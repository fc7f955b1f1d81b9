"""Kernels started ahead of need, for `thesis preview`: after a chapter executes, a kernel for
its next execution is forked from the warm zygote in the background and waits, so that the
author's next code edit of that chapter does not wait for a kernel to start (0.5-0.8 s).

Isolation is kept: a waiting kernel belongs to one chapter (its environment names it), is used
by one execution of that chapter and no other, and runs nothing before that execution's set-up
cell, so it is the kernel that execution would have started itself, only earlier. It is used
only if it is alive, was forked from the zygote that is current, and has the environment the
execution asks for; otherwise it is stopped and the execution starts its own.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bookbuild.execute import warm

log = logging.getLogger("bookbuild")


@dataclass
class Waiting:
    """A started kernel manager, the folder of its sockets, and what it was started for."""

    km: Any
    sockets: tempfile.TemporaryDirectory[str]
    zygote: str
    env: dict[str, str]


_WAITING: dict[tuple[Path, str], Waiting] = {}
_STARTING: set[tuple[Path, str]] = set()
_LOCK = threading.Lock()


def start(root: Path, chapter: str) -> None:
    """Fork, in the background, a kernel for the next execution of `chapter` (relative to
    `root`), unless one waits already or warm kernels are off."""
    if not warm.enabled():
        return
    key = (Path(root).resolve(), chapter)
    with _LOCK:
        if key in _WAITING or key in _STARTING:
            return
        _STARTING.add(key)
    threading.Thread(target=_start, args=key, name="bb-waiting-kernel", daemon=True).start()


def _start(root: Path, chapter: str) -> None:
    from nbclient import NotebookClient

    from bookbuild.execute import kernel

    key = (root, chapter)
    try:
        zygote = warm.socket_for(root)
        if zygote is None:
            return
        env = kernel.kernel_env(chapter)
        sockets = tempfile.TemporaryDirectory(prefix="bb-kernel-")
        config, extra = kernel.client_config(sockets.name, zygote)
        client = NotebookClient(
            kernel.empty_notebook(),
            kernel_name=kernel.KERNEL,
            config=config,
            resources={"metadata": {"path": str(root)}},
            **extra,
        )
        client.km = client.create_kernel_manager()
        try:
            client.start_new_kernel(env=env, cwd=str(root))
            answered = client.start_new_kernel_client()  # returns when the kernel is up
            answered.stop_channels()  # the execution connects a client of its own
            client.kc = None
        except Exception as exc:  # the execution will start its own and report what fails
            log.debug("waiting kernel for %s did not start: %s", chapter, exc)
            _stop(Waiting(client.km, sockets, zygote, env))
            return
        with _LOCK:
            _WAITING[key] = Waiting(client.km, sockets, zygote, env)
    finally:
        with _LOCK:
            _STARTING.discard(key)


def take(root: Path, chapter: str, env: dict[str, str], zygote: str) -> Waiting | None:
    """The kernel waiting for `chapter`, if it can serve an execution with `env` from the
    zygote at `zygote` (it is then no longer waiting); None otherwise."""
    with _LOCK:
        waiting = _WAITING.pop((Path(root).resolve(), chapter), None)
    if waiting is None:
        return None
    if waiting.zygote == zygote and waiting.env == env and _alive(waiting):
        return waiting
    _stop(waiting)
    return None


def _alive(waiting: Waiting) -> bool:
    process = getattr(getattr(waiting.km, "provisioner", None), "process", None)
    return process is not None and process.poll() is None


def _stop(waiting: Waiting) -> None:
    """Kill a kernel that will not be used (its whole process group) and remove its sockets."""
    from bookbuild.execute import kernel

    kernel.kill_group(waiting.km)
    process = getattr(getattr(waiting.km, "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.wait(timeout=5)
    with contextlib.suppress(Exception):
        waiting.km.cleanup_connection_file()
    waiting.sockets.cleanup()


@atexit.register
def stop_all() -> None:
    """Stop every waiting kernel (at exit, or when a preview ends)."""
    with _LOCK:
        waiting = list(_WAITING.values())
        _WAITING.clear()
    for item in waiting:
        _stop(item)


__all__ = ["Waiting", "start", "stop_all", "take"]
