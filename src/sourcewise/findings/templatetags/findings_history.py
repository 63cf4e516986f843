"""The score over time on the dashboard, and each finding's age.

`{% health_trend workspace %}` draws the last 90 days of daily snapshots as an SVG made on
the server (like `costs.charts`: no JavaScript, `role="img"` with a `<title>` and a `<desc>`
saying in words what it shows, and the numbers in a table beside it), with "new this week /
resolved this week". A day without a snapshot is a gap in the line, never an invented value.

`{{ record|open_for:today }}` → "open for 12 days" / "new today".
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sourcewise.findings.history import HistoryDay, health_history, week_changes
from sourcewise.workspaces.models import Workspace

register = template.Library()

TREND_DAYS = 90
WIDTH = 480
FONT = 'font-family="system-ui,sans-serif"'
INK, MUTED, GRID = "#1d2733", "#5b6875", "#d0d5dd"
LINE, CRITICAL, WARNING = "#1f5f8b", "#b42318", "#dc6803"


# The dashboard reads at most this many of the week's changes ("1,000+" beyond).
WEEK_LIMIT = 1000


@register.inclusion_tag("findings/_trend.html")
def health_trend(workspace: Workspace, today: datetime.date | None = None) -> dict[str, Any]:
    """The trend block: two queries for the 90 days, two counts for the week."""
    history = health_history(workspace, TREND_DAYS, today=today)
    recorded = [h for h in history if h.snapshot is not None]
    return {
        "chart": trend_chart(history),
        "week": week_changes(workspace, today=history[-1].day, limit=WEEK_LIMIT),
        "recorded": list(reversed(recorded)),
        "days": TREND_DAYS,
        "gaps": len(history) - len(recorded),
    }


@register.filter
def open_for(record: Any, today: datetime.date) -> str:
    """How long a finding has been open: "new today", "open for 1 day", "open for 12 days"."""
    first_seen = getattr(record, "first_seen", None)
    if first_seen is None or today is None:
        return ""
    seen = timezone.localdate(first_seen) if isinstance(first_seen, datetime.datetime) else first_seen
    days = max(0, (today - seen).days)
    if days == 0:
        return "new today"
    return f"open for {days} day{'' if days == 1 else 's'}"


def _runs(history: list[HistoryDay]) -> list[list[tuple[int, int]]]:
    """Consecutive days that have a score, as (index, score): one line each; a gap ends a line."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for i, h in enumerate(history):
        if h.score is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, h.score))
    if current:
        runs.append(current)
    return runs


def _svg(height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="trend-chart-title trend-chart-desc" data-testid="trend-chart" {FONT}>'
        f'<title id="trend-chart-title">{escape(title)}</title><desc id="trend-chart-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every text piece is escaped)


def _note(title: str, message: str) -> SafeString:
    """The chart's place when there is nothing to draw: one line saying why."""
    note = f'<text x="{WIDTH / 2}" y="36" text-anchor="middle" font-size="15" fill="{MUTED}">{escape(message)}</text>'
    return _svg(60, title, message, [note])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def trend_chart(history: list[HistoryDay]) -> SafeString:
    """Score line (0–100) above, the day's critical and warning counts as bars below."""
    first, last = history[0].day, history[-1].day
    title = f"Health score and findings, {first:%d %b} to {last:%d %b %Y}"
    recorded = [h for h in history if h.snapshot is not None]
    if not recorded:
        return _note(title, "No history yet: the score is recorded each day the workspace is used.")
    if not any(h.score is not None or h.snapshot.critical or h.snapshot.warning for h in recorded if h.snapshot):
        # A new workspace: days recorded, but no score and no finding on any of them. Empty axes
        # (and a "1" at the top of an empty bar scale) would look like a broken chart.
        return _note(title, "Nothing to draw yet: no day has a score, a critical or a warning finding.")

    left, right, top, plot_h = 36, 8, 12, 130
    bars_top, bars_h = top + plot_h + 26, 44
    step = (WIDTH - left - right) / max(len(history) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(score: int) -> float:
        return top + plot_h * (100 - score) / 100

    body: list[str] = []
    for level in (100, 50, 0):
        dashed = "" if level == 0 else ' stroke-dasharray="3 3"'
        at = f"{y(level):.1f}"
        body.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{at}" y2="{at}" stroke="{GRID}"{dashed}/>'
            f'<text x="{left - 6}" y="{y(level) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{level}</text>'
        )
    for run in _runs(history):
        if len(run) == 1:
            i, score = run[0]
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(score):.1f}" r="2.5" fill="{LINE}"/>')
        else:
            points = " ".join(f"{x(i):.1f},{y(score):.1f}" for i, score in run)
            body.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2"/>')

    worst = max((h.snapshot.critical + h.snapshot.warning for h in recorded if h.snapshot), default=0) or 1
    bar_w = max(step * 0.7, 1.0)
    bottom = bars_top + bars_h
    body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{bottom}" y2="{bottom}" stroke="{GRID}"/>')
    body.append(
        f'<text x="{left - 6}" y="{bars_top + 8}" text-anchor="end" font-size="12" fill="{MUTED}">{worst}</text>'
    )
    for i, h in enumerate(history):
        s = h.snapshot
        if s is None:
            continue
        c_h = bars_h * s.critical / worst
        w_h = bars_h * s.warning / worst
        bx = x(i) - bar_w / 2
        scored = "not scored" if s.score is None else f"score {s.score}"
        label = f"{h.day:%a %d %b}: {scored}, {_plural(s.critical, 'critical')}, {_plural(s.warning, 'warning')}"
        body.append(
            f"<g><title>{escape(label)}</title>"
            f'<rect x="{bx:.1f}" y="{bottom - c_h:.1f}" width="{bar_w:.1f}" height="{c_h:.1f}" fill="{CRITICAL}"/>'
            f'<rect x="{bx:.1f}" y="{bottom - c_h - w_h:.1f}" width="{bar_w:.1f}" height="{w_h:.1f}" '
            f'fill="{WARNING}"/>'
            f'<rect x="{bx:.1f}" y="{top}" width="{bar_w:.1f}" height="{bottom - top}" fill="transparent"/></g>'
        )
    label_y = bottom + 16
    body.append(
        f'<text x="{left}" y="{label_y}" font-size="12" fill="{INK}">{first:%d %b}</text>'
        f'<text x="{WIDTH - right}" y="{label_y}" text-anchor="end" font-size="12" fill="{INK}">{last:%d %b}</text>'
    )
    legend_y = label_y + 10
    body.append(
        f'<line x1="{left}" x2="{left + 18}" y1="{legend_y + 7}" y2="{legend_y + 7}" stroke="{LINE}" stroke-width="2"/>'
        f'<text x="{left + 24}" y="{legend_y + 11}" font-size="13" fill="{INK}">score</text>'
        f'<rect x="{left + 90}" y="{legend_y}" width="12" height="12" fill="{CRITICAL}"/>'
        f'<text x="{left + 108}" y="{legend_y + 11}" font-size="13" fill="{INK}">critical</text>'
        f'<rect x="{left + 180}" y="{legend_y}" width="12" height="12" fill="{WARNING}"/>'
        f'<text x="{left + 198}" y="{legend_y + 11}" font-size="13" fill="{INK}">warnings</text>'
    )
    return _svg(legend_y + 18, title, _describe(history, recorded), body)


def _describe(history: list[HistoryDay], recorded: list[HistoryDay]) -> str:
    """The chart in words (its `<desc>`): first and last score, the change, the latest counts, the gaps."""
    scored = [h for h in recorded if h.score is not None]
    parts = []
    if scored:
        a, b = scored[0], scored[-1]
        change = (b.score or 0) - (a.score or 0)
        moved = "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change)} points"
        parts.append(f"Score {a.score} on {a.day:%d %b}, {b.score} on {b.day:%d %b} ({moved}).")
    else:
        parts.append("No score yet: the workspace has no outsourced work.")
    latest = recorded[-1].snapshot
    assert latest is not None
    parts.append(
        f"On {recorded[-1].day:%d %b}: {_plural(latest.critical, 'critical finding')}, "
        f"{_plural(latest.warning, 'warning')}, {latest.info} info."
    )
    missing = len(history) - len(recorded)
    if missing:
        parts.append(f"{_plural(missing, 'day')} without a snapshot are left blank.")
    return " ".join(parts)
