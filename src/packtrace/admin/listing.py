"""Search, filter, sort and pages of the UI's tables, read from the query string. Pages are numbered
(OFFSET): people jump to page 7 and sort by any column, which keyset cursors cannot do; the lists are a
tenant's own master data and orders, where that costs little."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

PAGE_SIZE = 25
MAX_SEARCH = 100


@dataclass(frozen=True)
class ListParams:
    search: str
    sort: str
    descending: bool
    page: int
    filters: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: str | int | bool | None) -> str:
        """The query string of this list with ``changes`` (``page``, ``sort``, ``descending`` or a
        filter); a change of sort or filter goes back to page 1."""
        values: dict[str, str | int | bool | None] = {
            "q": self.search,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
            "page": self.page,
            **self.filters,
        }
        if "descending" in changes:
            values["dir"] = "desc" if changes.pop("descending") else "asc"
        if any(key != "page" for key in changes):
            values["page"] = 1
        values.update(changes)
        pairs = [(k, str(v)) for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)]
        return "?" + urlencode(pairs) if pairs else "?"

    def sort_query(self, column: str) -> str:
        """Sort by ``column``; a second click on the sorted column turns the order round."""
        descending = not self.descending if column == self.sort else False
        return self.query(sort=column, descending=descending)

    def with_page(self, page: int) -> ListParams:
        return replace(self, page=page)


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()[:MAX_SEARCH]


def parse_list_params(
    query: Mapping[str, str],
    sortable: Sequence[str],
    default_sort: str,
    *,
    default_descending: bool = False,
    filters: Sequence[str] = (),
) -> ListParams:
    """Unknown sort columns, bad page numbers and unknown filters fall back to the defaults: a stale or
    hand-edited link shows a list, not an error."""
    sort = query.get("sort", default_sort)
    if sort not in sortable:
        sort = default_sort
    direction = query.get("dir")
    descending = default_descending if direction not in ("asc", "desc") else direction == "desc"
    raw_page = query.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1_000_000 else 1
    # No stored text holds NUL, and PostgreSQL refuses it even as a query parameter.
    chosen = {name: _clean(query.get(name, "")) for name in filters}
    search = _clean(query.get("q", ""))
    return ListParams(search, sort, descending, page, {k: v for k, v in chosen.items() if v})


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    params: ListParams
    size: int = PAGE_SIZE

    @property
    def number(self) -> int:
        return self.params.page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return 0 if not self.rows else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1 if self.rows else 0

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and those near the current one; None is a gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        result: list[int | None] = []
        for n in numbers:
            if result and n - (result[-1] or 0) > 1:
                result.append(None)
            result.append(n)
        return result


def offset(params: ListParams, size: int = PAGE_SIZE) -> int:
    return (params.page - 1) * size
