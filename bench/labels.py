"""Benchmark: label documents. 10,000 pack labels as PDF and as ZPL, 1,000 as a PNG zip.

    python bench/labels.py [--count 10000] [--png-count 1000]

The labels are built from a generator, as the label service will stream them from the database, so the
figures include checking each identity (PackLabel) and laying it out. Prints the time, the size of each
document and the process's peak memory (ru_maxrss) after each step. Run by hand; never a test.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable, Iterator

from packtrace.gs1.serials import random_serials
from packtrace.labels import PackLabel, render_pdf, render_png_zip, render_zpl

GTIN = "09506000134352"
SET_82_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def pack_labels(count: int) -> Iterator[PackLabel]:
    for serial in random_serials(count, 12, SET_82_ALPHABET):
        yield PackLabel(GTIN, serial, "LOT2026-0815", "281200", (("714", "1234567"),))


def timed(name: str, count: int, render: Callable[[Iterator[PackLabel]], bytes | str]) -> None:
    labels = pack_labels(count)
    start = time.perf_counter()
    document = render(labels)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = len(document) / 1e6
    print(
        f"{name:<8} {count:>6} labels  {elapsed:7.2f} s  {elapsed / count * 1e3:6.3f} ms/label  "
        f"{size_mb:7.2f} MB  peak RSS {peak_mb:6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--png-count", type=int, default=1_000)
    args = parser.parse_args()
    start = time.perf_counter()
    for _ in pack_labels(args.count):
        pass
    print(f"{'labels':<8} {args.count:>6} labels  {time.perf_counter() - start:7.2f} s  (serials + PackLabel checks)")
    timed("ZPL", args.count, render_zpl)
    timed("PDF", args.count, render_pdf)
    timed("PNG zip", args.png_count, render_png_zip)


if __name__ == "__main__":
    main()
