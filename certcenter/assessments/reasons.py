"""The recommendation's reasons, stored as codes with parameters, told in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from certcenter.assessments.models import RESULT_KINDS
from certcenter.core.i18n import localized


def describe_reason(reason: dict[str, Any], criteria_titles: dict[str, Any]) -> str:
    code = reason.get("code")
    if code == "eligibility":
        return _("The candidate does not meet a pathway to the level, and no exception was granted.")
    if code == "criterion":
        title = localized(criteria_titles.get(reason["key"], reason["key"]))
        if reason.get("unit"):
            title = f"{reason['unit']} · {title}"
        if reason.get("rating") == "partially_met":
            return _("Criterion “%(criterion)s” is only partially met.", criterion=title)
        if reason.get("rating") is None:
            return _("Criterion “%(criterion)s” has no final rating.", criterion=title)
        return _("Criterion “%(criterion)s” is not met.", criterion=title)
    if code == "result_missing":
        return _("The result of the %(kind)s is missing.", kind=str(RESULT_KINDS[reason["kind"]]).lower())
    if code == "result_below":
        return _(
            "%(kind)s: %(percent)s%% is below the pass mark of %(pass_mark)s%%.",
            kind=RESULT_KINDS[reason["kind"]],
            percent=reason["percent"],
            pass_mark=reason["pass_mark"],
        )
    if code == "appeal_panel":
        return _("The appeals panel's reasoning: %(reasoning)s", reasoning=reason.get("reasoning", ""))
    return code or ""


def snapshot_titles(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {criterion["key"]: criterion["title"] for criterion in snapshot.get("criteria", [])}
