"""Long staff lists in pages (a meeting of thousands): one page of rows at a time,
with links to the previous and next pages that keep the list's filters and language,
and "page 2 of 17" in the reader's language (`_pager.html`)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode


def asked_page(values: Mapping[str, str]) -> int:
    """The page a request asks for (`page`, from 1); the first for an odd one."""
    raw = values.get("page", "")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 7 else 1


class Pager:
    """Page `number` of a list of `total` rows, `size` rows a page, at `path` with its
    `query` (filters, language): a number past the last page is the last page."""

    def __init__(
        self, number: int, size: int, total: int, path: str, query: Mapping[str, str]
    ) -> None:
        self.size, self.total, self.path = size, total, path
        self.query = [(k, v) for k, v in query.items() if v]
        self.pages = max(1, -(-total // size))
        self.number = min(max(number, 1), self.pages)

    @property
    def skip(self) -> int:
        return (self.number - 1) * self.size

    def link(self, number: int) -> str:
        return f"{self.path}?{urlencode([*self.query, ('page', str(number))])}"

    @property
    def previous(self) -> str | None:
        return self.link(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.number + 1) if self.number < self.pages else None
