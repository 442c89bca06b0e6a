"""The centre's calendar is Almaty's (UTC+5), and the server's clock is usually on UTC: from 19:00 to midnight UTC the
two are on different days. A certificate dated by the server's day, a deadline counted from it or a scope ended on
it is a day out for five hours of every day (CI found two such faults by running in those hours).

So the code never asks for the server's naive today or now: a day of the centre's calendar comes from
``core.i18n.centre_today()`` / ``centre_day(moment)``, a moment from ``core.models.utcnow()``. The checker reads the
source with ``ast`` and fails on ``date.today()``, ``datetime.today()``, ``datetime.utcnow()`` and ``datetime.now()``
without a time zone, and on ``.date()`` of the moment now (the UTC day)."""

from __future__ import annotations

import ast
from pathlib import Path

import certcenter

# where the server's own wall clock is what is meant, and why
ALLOWED = {
    "core/supervisor.py": "the console's own log lines, in the operator's local time",
}


def _is_utc_now(call: ast.Call) -> bool:
    """``utcnow()`` or ``datetime.now(UTC)`` (``timezone.utc``): a moment whose ``.date()`` is the UTC day."""
    function = call.func
    if isinstance(function, ast.Name) and function.id == "utcnow":
        return True
    if not (isinstance(function, ast.Attribute) and function.attr == "now"):
        return False
    zones = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(
        (isinstance(zone, ast.Name) and zone.id == "UTC") or (isinstance(zone, ast.Attribute) and zone.attr == "utc")
        for zone in zones
    )


def naive_clock_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if node.func.attr == "date" and isinstance(owner, ast.Call) and _is_utc_now(owner):
            found.append((node.lineno, "the UTC day of a moment (.date() of now): centre_day(moment)"))
            continue
        name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
        method = node.func.attr
        if (name, method) in {("date", "today"), ("datetime", "today"), ("datetime", "utcnow")}:
            found.append((node.lineno, f"{name}.{method}()"))
        elif (name, method) == ("datetime", "now") and not node.args and not node.keywords:
            found.append((node.lineno, "datetime.now() without a time zone"))
    return found


def test_no_code_reads_the_servers_naive_day_or_time():
    root = Path(certcenter.__file__).parent
    faults = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED:
            continue
        for line, call in naive_clock_calls(ast.parse(path.read_text(encoding="utf-8"))):
            faults.append(f"{relative}:{line}: {call}")
    assert not faults, "use centre_today() / centre_day() / utcnow():\n" + "\n".join(faults)


def test_the_checker_finds_each_form():
    source = (
        "date.today()\ndatetime.today()\ndatetime.utcnow()\ndatetime.now()\ndt.datetime.now()\n"
        "utcnow().date()\ndatetime.now(UTC).date()\n"
    )
    assert [line for line, _call in naive_clock_calls(ast.parse(source))] == [1, 2, 3, 4, 5, 6, 7]
    allowed = (
        "datetime.now(UTC)\ndatetime.now(tz=ZoneInfo('Asia/Almaty'))\nutcnow()\ncentre_today()\n"
        "centre_day(utcnow())\ndatetime.now(ZoneInfo(zone)).date()\n"
    )
    assert naive_clock_calls(ast.parse(allowed)) == []
