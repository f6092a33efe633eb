"""How adapters report long work without knowing who shows it.

An adapter takes ``progress: ProgressFactory | None``; it opens one task with
``with progress(description, total) as tick:`` and calls ``tick(n)`` as it goes (frames,
bytes). The command line passes a rich progress bar (`hipvision.commands.common.rich_progress`);
the Python API and the tests pass None (silent). ``total`` is None when unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Tick = Callable[[int], None]
ProgressFactory = Callable[[str, "int | None"], AbstractContextManager[Tick]]


@contextmanager
def no_progress(description: str, total: int | None) -> Iterator[Tick]:
    """A progress task that shows nothing."""
    yield lambda n=1: None


def progress_or_silent(progress: ProgressFactory | bool | None) -> ProgressFactory:
    """``progress`` if it is a factory; `no_progress` for None or False."""
    return progress if callable(progress) else no_progress
