"""Progress lines for long runs: live on a terminal, sparse in a log."""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def reporter(prefix: str = "", stream: TextIO | None = None, every_s: float = 0.5,
             log_every_s: float = 30.0) -> Callable[[str], Callable[[int, int], None]]:
    """A factory: ``reporter(prefix)(label)`` returns a ``(t, T)`` callback.

    On a terminal the line is rewritten in place at most every ``every_s`` seconds; in a log
    (not a TTY) a line is written at most every ``log_every_s`` seconds, so CI logs stay short.
    """
    stream = stream or sys.stderr
    tty = stream.isatty()

    def make(label: str) -> Callable[[int, int], None]:
        start = time.perf_counter()
        last = [start]

        def report(t: int, total: int) -> None:
            now = time.perf_counter()
            done = t >= total
            if not done and now - last[0] < (every_s if tty else log_every_s):
                return
            last[0] = now
            el = now - start
            eta = el / t * (total - t) if t else float("nan")
            line = f"{prefix}{label}: step {t}/{total}  {el:6.1f}s elapsed  ~{eta:5.0f}s left"
            stream.write(("\r" + line + ("\n" if done else "")) if tty else line + "\n")
            stream.flush()

        return report

    return make


def finish(stream: TextIO | None = None) -> None:
    """End a live line (a model that stopped early never reports t = T)."""
    stream = stream or sys.stderr
    if stream.isatty():
        stream.write("\n")
        stream.flush()
