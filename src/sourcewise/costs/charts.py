"""The cost charts as SVG drawn on the server: no JavaScript, no CDN.

Each chart has `role="img"`, a `<title>` and a `<desc>` that says in words what it shows
(the numbers are also in the tables beside it), one `<title>` per bar for hover and screen
readers, and a viewBox narrow enough to stay legible on a phone. Money is converted to
float only to place the shapes, never for a figure that is printed.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sourcewise.costs.concentration import Concentration
from sourcewise.costs.models import Category
from sourcewise.costs.reports import CostReport
from sourcewise.money.conversion import money

WIDTH = 480
FONT = 'font-family="system-ui,sans-serif"'
INK, MUTED, GRID = "#1d2733", "#5b6875", "#d0d5dd"
GOOD, BAD, PLAN = "#067647", "#b42318", "#98a2b3"
COLOURS: dict[str, str] = {
    Category.FEES: "#1f5f8b",
    Category.PLATFORM_FEES: "#5fa8d3",
    Category.TOOLS: "#e07a1f",
    Category.LICENCES: "#f2b134",
    Category.HARDWARE: "#7a5195",
    Category.TRAINING: "#ef5675",
    Category.COMMUNICATION: "#2a9d8f",
    Category.MANAGEMENT: "#8c564b",
    Category.RECRUITING: "#9aa33a",
    Category.OTHER: "#7f7f7f",
}
LABELS = dict(Category.choices)


def _chart_number(value: Decimal) -> float:
    return float(value)


def _short(value: Decimal) -> str:
    """Axis labels: 12.3k, 1.2M (for reading, never for sums)."""
    v = abs(value)
    sign = "−" if value < 0 else ""
    if v >= 1_000_000:
        return f"{sign}{v / 1_000_000:.1f}M"
    if v >= 10_000:
        return f"{sign}{v / 1000:.0f}k"
    if v >= 1000:
        return f"{sign}{v / 1000:.1f}k"
    return f"{sign}{v:.0f}"


def _svg(key: str, height: int, title: str, desc: str, body: list[str], testid: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="cost-chart" '
        f'aria-labelledby="{key}-title {key}-desc" data-testid="{testid}" {FONT}>'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every text piece is escaped)


def _empty(key: str, title: str, message: str, testid: str) -> SafeString:
    return _svg(
        key,
        60,
        title,
        message,
        [f'<text x="{WIDTH / 2}" y="36" text-anchor="middle" font-size="15" fill="{MUTED}">{escape(message)}</text>'],
        testid,
    )


def monthly_costs(report: CostReport) -> SafeString:
    """Stacked bars: each month's cost by category."""
    cur = report.base_currency
    title = f"Monthly cost by category, in {cur}"
    months = report.months
    if not months or not any(m.tco for m in months):
        return _empty("chart-monthly", title, "No costs in this period yet.", "chart-monthly")
    top = max(m.tco for m in months) or Decimal(1)
    plot_top, plot_h, left = 20, 200, 44
    slot = (WIDTH - left - 8) / len(months)
    bar_w = min(42.0, slot * 0.7)
    body = [
        f'<line x1="{left}" x2="{WIDTH - 4}" y1="{plot_top + plot_h}" y2="{plot_top + plot_h}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{plot_top + 5}" text-anchor="end" font-size="13" fill="{MUTED}">{_short(top)}</text>',
        f'<text x="{left - 6}" y="{plot_top + plot_h}" text-anchor="end" font-size="13" fill="{MUTED}">0</text>',
        f'<line x1="{left}" x2="{WIDTH - 4}" y1="{plot_top}" y2="{plot_top}" stroke="{GRID}" stroke-dasharray="3 3"/>',
    ]
    used: list[str] = []
    for i, m in enumerate(months):
        x = left + slot * i + (slot - bar_w) / 2
        y = float(plot_top + plot_h)
        for category in Category.values:
            value = m.by_category.get(category, Decimal(0))
            if value <= 0:
                continue
            if category not in used:
                used.append(category)
            h = _chart_number(value / top) * plot_h
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{COLOURS[category]}"><title>{m.month:%B %Y} — {escape(LABELS[category])}: '
                f"{escape(money(value, cur))}</title></rect>"
            )
        body.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{plot_top + plot_h + 18}" text-anchor="middle" font-size="14" '
            f'fill="{INK}">{m.month:%b}</text>'
        )
    legend_y = plot_top + plot_h + 36
    per_row = 2
    for i, category in enumerate(used):
        lx = 8 + (i % per_row) * (WIDTH / per_row)
        ly = legend_y + (i // per_row) * 22
        body.append(
            f'<rect x="{lx:.0f}" y="{ly}" width="14" height="14" fill="{COLOURS[category]}"/>'
            f'<text x="{lx + 20:.0f}" y="{ly + 12}" font-size="14" fill="{INK}">{escape(LABELS[category])}</text>'
        )
    height = legend_y + ((len(used) + per_row - 1) // per_row) * 22 + 6
    biggest = max(months, key=lambda m: m.tco)
    totals = report.by_category
    lead = max(totals, key=lambda c: totals[c])
    total = sum(totals.values(), Decimal(0))
    desc = (
        f"{money(total, cur)} over {len(months)} months ({months[0].month:%B %Y} to {months[-1].month:%B %Y}). "
        f"Most expensive month: {biggest.month:%B %Y} with {money(biggest.tco, cur)}. "
        f"Largest category: {LABELS[lead]} ({money(totals[lead], cur)})."
    )
    return _svg("chart-monthly", height, title, desc, body, "chart-monthly")


def savings(report: CostReport) -> SafeString:
    """Per month: expected saving (grey) beside actual saving (green above zero, red below)."""
    cur = report.base_currency
    title = f"Expected and actual savings per month, in {cur}"
    months = [m for m in report.months if m.expected is not None or m.actual is not None]
    if not months:
        return _empty("chart-savings", title, "No baseline yet: set tasks' in-house hourly cost.", "chart-savings")
    values = [v for m in months for v in (m.expected, m.actual) if v is not None]
    high = max(max(values), Decimal(0))
    low = min(min(values), Decimal(0))
    span = (high - low) or Decimal(1)
    plot_top, plot_h, left = 20, 200, 48
    zero_y = plot_top + _chart_number(high / span) * plot_h
    slot = (WIDTH - left - 8) / len(report.months)
    bar_w = min(18.0, slot * 0.35)
    body = [
        f'<line x1="{left}" x2="{WIDTH - 4}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="{MUTED}"/>',
        f'<text x="{left - 6}" y="{zero_y + 4:.1f}" text-anchor="end" font-size="13" fill="{MUTED}">0</text>',
        f'<text x="{left - 6}" y="{plot_top + 5}" text-anchor="end" font-size="13" '
        f'fill="{MUTED}">{_short(high)}</text>',
    ]
    if low < 0:
        body.append(
            f'<text x="{left - 6}" y="{plot_top + plot_h}" text-anchor="end" font-size="13" '
            f'fill="{MUTED}">{_short(low)}</text>'
        )

    def bar(x: float, value: Decimal, colour: str, label: str) -> str:
        h = _chart_number(abs(value) / span) * plot_h
        y = zero_y - h if value >= 0 else zero_y
        return (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(money(value, cur))}</title></rect>"
        )

    for i, m in enumerate(report.months):
        x = left + slot * i + slot / 2 - bar_w
        if m.expected is not None:
            body.append(bar(x, m.expected, PLAN, f"{m.month:%B %Y} expected saving"))
        if m.actual is not None:
            body.append(bar(x + bar_w, m.actual, GOOD if m.actual >= 0 else BAD, f"{m.month:%B %Y} actual saving"))
        body.append(
            f'<text x="{x + bar_w:.1f}" y="{plot_top + plot_h + 18}" text-anchor="middle" font-size="14" '
            f'fill="{INK}">{m.month:%b}</text>'
        )
    ly = plot_top + plot_h + 34
    body.append(
        f'<rect x="8" y="{ly}" width="14" height="14" fill="{PLAN}"/>'
        f'<text x="28" y="{ly + 12}" font-size="14" fill="{INK}">expected</text>'
        f'<rect x="120" y="{ly}" width="14" height="14" fill="{GOOD}"/>'
        f'<text x="140" y="{ly + 12}" font-size="14" fill="{INK}">actual (saved)</text>'
        f'<rect x="272" y="{ly}" width="14" height="14" fill="{BAD}"/>'
        f'<text x="292" y="{ly + 12}" font-size="14" fill="{INK}">actual (lost)</text>'
    )
    expected = sum((m.expected for m in months if m.expected is not None), Decimal(0))
    actual = sum((m.actual for m in months if m.actual is not None), Decimal(0))
    desc = (
        f"Over {len(report.months)} months the expected saving was {money(expected, cur)} and the actual saving "
        f"(in-house baseline minus the true cost) was {money(actual, cur)}."
    )
    return _svg("chart-savings", ly + 22, title, desc, body, "chart-savings")


ROI_EACH_END = 10  # tasks shown at each end of the ROI chart when there are many


def roi_per_task(report: CostReport) -> SafeString:
    """Horizontal bars: ROI % of each task with a baseline, around a zero line."""
    title = "Return on outsourcing per task (ROI %)"
    rows = [r for r in report.tasks if r.task is not None and r.savings.roi is not None]
    if not rows:
        return _empty("chart-roi", title, "No task has both costs and an in-house baseline yet.", "chart-roi")
    rows.sort(key=lambda r: r.savings.roi or Decimal(0), reverse=True)
    every = len(rows)
    negative = [str(r.task) for r in rows if (r.savings.roi or 0) < 0]
    if every > 2 * ROI_EACH_END:  # hundreds of tasks: the best and the worst, not a chart metres tall
        rows = rows[:ROI_EACH_END] + rows[-ROI_EACH_END:]
    pcts = [r.savings.roi_pct or Decimal(0) for r in rows]
    high, low = max(max(pcts), Decimal(0)), min(min(pcts), Decimal(0))
    span = (high - low) or Decimal(1)
    label_w, right = 150, 60
    plot_w = WIDTH - label_w - right
    zero_x = label_w + _chart_number(-low / span) * plot_w
    row_h = 28
    body = [f'<line x1="{zero_x:.1f}" x2="{zero_x:.1f}" y1="4" y2="{len(rows) * row_h + 6}" stroke="{MUTED}"/>']
    for i, (r, pct) in enumerate(zip(rows, pcts, strict=True)):
        y = 8 + i * row_h
        w = _chart_number(abs(pct) / span) * plot_w
        x = zero_x if pct >= 0 else zero_x - w
        name = str(r.task)
        short = name if len(name) <= 18 else name[:17] + "…"
        body.append(
            f'<text x="4" y="{y + 15}" font-size="14" fill="{INK}">{escape(short)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="18" fill="{GOOD if pct >= 0 else BAD}">'
            f"<title>{escape(name)}: ROI {pct:.1f} % "
            f"(in-house {escape(money(r.savings.baseline or Decimal(0), report.base_currency))}, "
            f"outsourced {escape(money(r.savings.tco, report.base_currency))})</title></rect>"
        )
        tx = x + max(w, 1) + 4 if pct >= 0 else x - 4
        anchor = "start" if pct >= 0 else "end"
        if pct < 0 and tx < label_w + 30:
            tx, anchor = zero_x + 4, "start"
        body.append(
            f'<text x="{tx:.1f}" y="{y + 14}" font-size="13" text-anchor="{anchor}" fill="{MUTED}">{pct:.0f} %</text>'
        )
    shown = f"{every} tasks" if every == len(rows) else f"{every} tasks, the {ROI_EACH_END} best and worst shown"
    named = ", ".join(negative[:ROI_EACH_END]) + (
        f" and {len(negative) - ROI_EACH_END} more" if len(negative) > ROI_EACH_END else ""
    )
    desc = f"{shown}. Best: {rows[0].task} at {pcts[0]:.0f} %. " + (
        f"Costing more than in-house: {named}." if negative else "None costs more than in-house."
    )
    return _svg("chart-roi", len(rows) * row_h + 12, title, desc, body, "chart-roi")


def concentration(
    c: Concentration, base_currency: str, limit_pct: int, info_level: int = 1000, warning_level: int = 1800
) -> SafeString:
    """Horizontal bars: each freelancer's share of spend, the single-share limit marked; concentration in the title."""
    title = f"Spend per freelancer — concentration {c.hhi:.0f} of 10 000"
    if not c.shares:
        return _empty("chart-share", title, "No freelancer spend in this period.", "chart-share")
    rows = c.shares[:12]
    label_w, right = 150, 56
    plot_w = WIDTH - label_w - right
    row_h = 28
    limit_x = label_w + plot_w * limit_pct / 100
    body = [
        f'<line x1="{label_w}" x2="{label_w}" y1="4" y2="{len(rows) * row_h + 8}" stroke="{MUTED}"/>',
        f'<line x1="{limit_x:.1f}" x2="{limit_x:.1f}" y1="4" y2="{len(rows) * row_h + 8}" stroke="{BAD}" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{limit_x + 3:.1f}" y="{len(rows) * row_h + 24}" font-size="13" fill="{BAD}">{limit_pct} %</text>',
    ]
    for i, s in enumerate(rows):
        y = 8 + i * row_h
        w = _chart_number(s.share) * plot_w
        name = s.name if len(s.name) <= 18 else s.name[:17] + "…"
        colour = BAD if s.pct > limit_pct else COLOURS[Category.FEES]
        body.append(
            f'<text x="4" y="{y + 15}" font-size="14" fill="{INK}">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1):.1f}" height="18" fill="{colour}">'
            f"<title>{escape(s.name)}: {s.pct:.1f} % ({escape(money(s.spend, base_currency))})</title></rect>"
            f'<text x="{label_w + max(w, 1) + 4:.1f}" y="{y + 14}" font-size="13" fill="{MUTED}">{s.pct:.0f} %</text>'
        )
    level = "high" if c.hhi > warning_level else ("moderate" if c.hhi >= info_level else "low")
    desc = (
        f"{c.freelancers} freelancers shared {money(c.total, base_currency)} of spend from {c.start:%d %b %Y} to "
        f"{c.end:%d %b %Y}. Largest: {rows[0].name} with {rows[0].pct:.1f} %. "
        f"Spend concentration {c.hhi:.0f} of 10 000 ({level})."
    )
    return _svg("chart-share", len(rows) * row_h + 32, title, desc, body, "chart-share")
