"""The progress bar the commands draw for slow work (on_progress(done, total))."""

from __future__ import annotations

import sys


class Bar:
    """A tqdm progress bar driven by on_progress(done, total) callbacks."""

    def __init__(self, desc: str, unit: str = "art") -> None:
        from tqdm import tqdm

        self.bar = tqdm(desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total  # grows while a stream is read; keeps the rate and ETA
        if done != self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()
