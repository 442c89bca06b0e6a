"""Pages of a list already in memory (a short catalogue filtered in Python), shaped like Flask-SQLAlchemy's
pagination so ``_macros/pager.html`` shows both."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import request


@dataclass
class ListPage:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_list(rows: list[Any], per_page: int = 50) -> ListPage:
    """The page the query string asks for (the last one when it asks beyond)."""
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() and raw != "0" else 1
    number = min(number, max(1, ceil(len(rows) / per_page)))
    start = (number - 1) * per_page
    return ListPage(rows[start : start + per_page], number, per_page, len(rows))
