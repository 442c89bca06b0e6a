"""Ids read from URLs and forms: ASCII digits only, within the range of a database integer.

``str.isdigit()`` and ``int()`` accept far more than 0-9: "²".isdigit() is true but int("²") fails (a 500), and
int("٣") is 3. Werkzeug's ``int`` converter matches any Unicode decimal digit too. Everything that reads an id goes
through ``parse_id``, and the app's ``int`` converter is replaced by ``AsciiIntegerConverter``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, abort
from werkzeug.routing import IntegerConverter

ID_PATTERN = re.compile(r"[0-9]{1,18}")  # 18 digits: always below 2**63, what SQLite and PostgreSQL can compare


def parse_id(value: object) -> int | None:
    """The id, or None when the value is not one (an int is taken as it is if non-negative)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return int(value)
    return None


def ids_or_400(values: Iterable[object], *, limit: int | None = None) -> list[int]:
    """Every value parsed as an id, in order; any value that is not one answers 400 Bad Request."""
    ids = []
    for value in values:
        parsed = parse_id(value)
        if parsed is None:
            abort(400)
        ids.append(parsed)
    return ids[:limit] if limit is not None else ids


def id_list_or_400(text: str | None, *, limit: int | None = None) -> list[int]:
    """A comma-separated list of ids ("3,5,8"; empty gives []); anything else answers 400 Bad Request."""
    return ids_or_400([part for part in (text or "").split(",") if part], limit=limit)


class AsciiIntegerConverter(IntegerConverter):
    """``<int:...>`` in routes: ASCII digits only, at most 18 of them (anything else is a 404)."""

    regex = r"[0-9]{1,18}"


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the routes compile their converters when they are added."""
    app.url_map.converters["int"] = AsciiIntegerConverter
