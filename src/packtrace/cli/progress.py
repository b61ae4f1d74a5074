"""The one progress bar of long generating commands (``pool generate``, ``sscc generate``): on stderr,
so stdout keeps only the command's output, and only on a terminal (on a pipe or in a file a bar is
noise: the final line says it all)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yields ``done(completed)``, to call after each batch with how many are made so far."""
    stderr = Console(stderr=True)
    progress = Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=not stderr.is_terminal,
    )
    with progress:
        task = progress.add_task("generate", total=total)
        yield lambda completed: progress.update(task, completed=completed)
