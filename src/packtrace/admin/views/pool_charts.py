"""The pool charts' geometry: a stacked horizontal bar per product (Available, Assigned) on a scale the
page chooses, drawn by the templates as inline SVG. Positions are percentages of the chart's width, so
the SVG stretches with the page while its text keeps its size."""

from __future__ import annotations

import math
from dataclasses import dataclass

from packtrace.serials.service import PoolStatus

# A count above zero is never drawn thinner than this (percent of the width): it must stay visible
# beside a much larger one.
MIN_VISIBLE = 0.6
_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Segment:
    key: str  # the CSS class of its colour: available, assigned
    label: str
    count: int
    start: float
    width: float


@dataclass(frozen=True)
class Tick:
    at: float
    value: int
    anchor: str  # SVG text-anchor: the first and last labels stay inside the chart


@dataclass(frozen=True)
class PoolBar:
    segments: list[Segment]
    total: int
    description: str  # the counts in words: the chart's accessible name and tooltip
    threshold_at: float | None  # where "refill below" lies on the scale; None when refilling is off
    ticks: list[Tick]


def nice_scale(largest: int, ticks: int = 4) -> int:
    """A round number at or above ``largest`` that divides into ``ticks`` round steps."""
    if largest <= ticks:
        return ticks
    rough = largest / ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(s * magnitude for s in _NICE_STEPS if s * magnitude >= rough and (s * magnitude).is_integer())
    return int(step) * ticks


def describe(status: PoolStatus) -> str:
    refill = f"; refilled with {status.refill_size:,} below {status.threshold:,}" if status.threshold > 0 else ""
    return (
        f"Serial pool of {status.product_code}: {status.available:,} Available, {status.assigned:,} Assigned, "
        f"{status.total:,} in all{refill}"
    )


def pool_bar(status: PoolStatus, scale: int, ticks: int = 0) -> PoolBar:
    """The bar of one product's pool on a scale of ``scale`` serials (the page's largest, so that the
    bars of a list compare), with ``ticks`` steps marked below it."""
    scale = max(scale, 1)
    segments: list[Segment] = []
    start = 0.0
    for key, label, count in (
        ("available", "Available", status.available),
        ("assigned", "Assigned", status.assigned),
    ):
        width = 0.0 if count <= 0 else max(MIN_VISIBLE, 100 * count / scale)
        width = min(width, 100 - start)
        segments.append(Segment(key, label, count, round(start, 3), round(width, 3)))
        start += width
    threshold_at = None
    if status.threshold > 0:
        threshold_at = round(min(100.0, 100 * status.threshold / scale), 3)
    marks = (
        [
            Tick(
                round(100 * n / ticks, 3), scale * n // ticks, "start" if n == 0 else "end" if n == ticks else "middle"
            )
            for n in range(ticks + 1)
        ]
        if ticks
        else []
    )
    return PoolBar(segments, status.total, describe(status), threshold_at, marks)
