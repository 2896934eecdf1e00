"""Processes of our own, started from a server: spawned, not forked (the server's threads may
hold locks), and without running the server's main script again.

A spawned child imports the parent's `__main__` module before its task. Under `streamlit
run` that module is the page script itself (Streamlit puts it there while the page runs), so
every child would first draw the whole dashboard in bare mode: seconds of work, a second
ingest check, and hundreds of warnings. The child is started with `__main__` hidden.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import threading
import types
from collections.abc import Callable

_START = threading.Lock()


def start_process(
    target: Callable[..., object], args: tuple, name: str | None = None
) -> mp.process.BaseProcess:
    """Start `target(*args)` in a spawned daemon process (ended when the caller exits)."""
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=target, args=args, name=name, daemon=True)
    with _START:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")  # nothing for the child to run
        try:
            proc.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
    return proc
