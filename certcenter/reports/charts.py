"""Charts of the centre's statistics as SVG (pygal), the same drawing inline on the dashboard and in the PDF report.

pygal builds the SVG as an XML tree, so names and titles from the database are escaped. No JavaScript is attached:
the browser shows the values printed on the bars, and WeasyPrint draws the same markup.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from functools import lru_cache

import pygal
from flask_babel import format_decimal
from markupsafe import Markup
from pygal.style import Style

SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
IDS = re.compile(r'\sid="(?:activate-serie-\d+)?"')
RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
PALETTE = ("#00799a", "#f2b705", "#6b5200", "#8aa29e", "#b3475f", "#5b6b76")

STYLE = Style(
    font_family='"Noto Sans", "DejaVu Sans", sans-serif',
    background="transparent",
    plot_background="transparent",
    foreground="#1d2a33",
    foreground_strong="#1d2a33",
    foreground_subtle="#c9d3d8",
    colors=PALETTE,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    legend_font_size=13,
    title_font_size=16,
    opacity=".9",
    opacity_hover=".9",
    transition="0s",
)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    unit: str = "",
    horizontal: bool = True,
    maximum: float | None = None,
) -> Markup:
    """Bars for each label, one colour per series; values are printed on the bars."""
    rows = max(len(labels), 1)
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        style=STYLE,
        width=760,
        height=max(200, 60 + rows * (22 + 14 * len(series))) if horizontal else 320,
        js=[],
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        print_values=True,
        print_zeroes=True,
        truncate_label=-1,
        truncate_legend=-1,
        include_x_axis=True,
        range=(0, maximum) if maximum else None,
        value_formatter=lambda value: "" if value is None else f"{format_decimal(value)}{unit}",
        margin=8,
        spacing=8,
        no_data_text="",
        no_prefix=True,
    )
    # pygal draws horizontal bars from the bottom up; reversed, they read top down like the table beneath
    order = slice(None, None, -1) if horizontal else slice(None)
    chart.x_labels = list(labels)[order]
    for name, values in series:
        chart.add(name, list(values)[order])
    if maximum is None:
        top = max((value for _, values in series for value in values if value is not None), default=0)
        chart.y_labels = _integer_ticks(top)
    return Markup(_clean(chart.render(is_unicode=True)))


def _integer_ticks(top: float) -> list[int]:
    """Whole-number ticks (counts and days): steps of 1, 2 or 5 times a power of ten, about five of them."""
    step = 1
    while top / step > 6:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if top / step <= 6:
                break
    return list(range(0, math.ceil(top / step) * step + 1, step)) if top else [0, 1]


def _clean(svg: str) -> str:
    """Drop pygal's inline script (tooltips need its JavaScript, which we do not serve), keep the hidden tooltip
    hidden without a style attribute, drop ids that repeat from chart to chart, and scope the CSS rules to the
    chart."""
    svg = SCRIPT.sub("", svg)
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    svg = IDS.sub("", svg)  # the same ids in every chart, and only pygal's script used them
    return STYLE_ELEMENT.sub(lambda match: f"<style>{_fix_selectors(match.group(1))}</style>", svg)


def _fix_selectors(css: str) -> str:
    """Scope every rule to the charts (``no_prefix`` leaves them global, the root rule with no selector at all)."""

    def scoped(match: re.Match) -> str:
        selectors = [selector.strip() for selector in match.group(1).split(",")]
        scoped_selectors = ",".join(f".pygal-chart {s}" if s else ".pygal-chart" for s in selectors)
        return f"{scoped_selectors}{{{match.group(2)}}}"

    return RULE.sub(scoped, css)


def for_web(svg: Markup) -> Markup:
    """The chart without its style element: pages serve the same rules from ``stylesheet()``, as the
    Content-Security-Policy allows no inline style."""
    return Markup(STYLE_ELEMENT.sub("", str(svg)))


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """pygal's rules for our style, for every colour of the palette."""
    chart = pygal.Bar(style=STYLE, no_prefix=True, js=[], disable_xml_declaration=True)
    for index in range(len(PALETTE)):
        chart.add(str(index), [1])
    # the rules as text: the SVG serialisation escaped them (">" as "&gt;")
    return html.unescape(STYLE_ELEMENT.search(_clean(chart.render(is_unicode=True))).group(1))


def statistics_charts(stats, *, web: bool = False) -> dict[str, Markup]:
    """The figures of a ``CentreStatistics`` as charts, labelled in the current language."""
    from flask_babel import gettext as _

    from certcenter.applications.workflow import STATE_LABELS
    from certcenter.framework.vocabulary import DESCRIPTOR_LABELS

    def level_label(number: int) -> str:
        return _("Level %(level)s", level=number)

    charts = {
        "states": bar_chart(
            [str(STATE_LABELS[state]) for state in stats.applications_by_state],
            [(_("Applications"), list(stats.applications_by_state.values()))],
        ),
        "levels": bar_chart(
            [level_label(row["level"]) for row in stats.confirmation_by_level],
            [(_("Confirmed, %"), [row["rate"] for row in stats.confirmation_by_level])],
            unit=" %",
            maximum=100,
        ),
        "qualifications": bar_chart(
            [row["code"] for row in stats.confirmation_by_qualification],  # the titles are in the table
            [(_("Confirmed, %"), [row["rate"] for row in stats.confirmation_by_qualification])],
            unit=" %",
            maximum=100,
        ),
        "stages": bar_chart(
            [str(STATE_LABELS[row["stage"]]) for row in stats.stage_durations],
            [
                (_("Median, days"), [row["median_days"] for row in stats.stage_durations]),
                (_("90th percentile, days"), [row["p90_days"] for row in stats.stage_durations]),
            ],
        ),
        "workload": bar_chart(
            [row["assessor"] for row in stats.assessor_workload[:15]],
            [
                (_("Assigned"), [row["assigned"] for row in stats.assessor_workload[:15]]),
                (_("Completed"), [row["completed"] for row in stats.assessor_workload[:15]]),
            ],
        ),
        "agreement": bar_chart(
            [
                str(DESCRIPTOR_LABELS.get(row["criterion"].partition(":")[2], _("Units of the qualification")))
                for row in stats.agreement_by_criterion
            ],
            [(_("Agreed, %"), [row["rate"] for row in stats.agreement_by_criterion])],
            unit=" %",
            maximum=100,
        ),
        "certificates": bar_chart(
            [
                _("Issued"),
                _("Suspended"),
                _("Revoked"),
                _("Expiring within 90 days"),
            ],
            [
                (
                    _("Certificates"),
                    [stats.certificates[key] for key in ("issued", "suspended", "revoked", "expiring")],
                )
            ],
        ),
    }
    return {key: for_web(chart) for key, chart in charts.items()} if web else charts
