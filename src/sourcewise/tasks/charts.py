"""Server-rendered SVG for the outsourcing map: no JavaScript, no CDN, readable by screen readers."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sourcewise.tasks.selectors import MapPage, OutsourcingMap

OUT = "#1f5f8b"
IN = "#c5d5e4"
LIMIT = "#b42318"
WIDTH = 640
LABEL_W = 190
BAR_W = WIDTH - LABEL_W - 60


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def share_chart(result: OutsourcingMap | MapPage) -> SafeString:
    """A bar of the outsourced share of monthly hours with the limit marked, then one bar per recurring task."""
    share = result.share_pct
    rows = result.chart_tasks
    longest = max((t.monthly_hours for t in rows), default=Decimal("1"))
    height = 110 + 26 * len(rows) + (24 if rows else 0)
    if share is None:
        title = "No recurring task hours recorded yet"
    else:
        title = f"{_pct(share)} % of monthly task hours are outsourced (limit {result.share_max_pct} %)"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="share-title" class="chart share-chart" data-testid="share-chart">',
        f'<title id="share-title">{escape(title)}</title>',
    ]
    total_w = WIDTH - 20
    share_w = 0 if share is None else float(min(share, Decimal(100)) / 100) * total_w  # drawing only, not money
    limit_x = 10 + result.share_max_pct / 100 * total_w
    parts += [
        f'<rect x="10" y="28" width="{total_w}" height="26" rx="4" fill="{IN}"/>',
        f'<rect x="10" y="28" width="{share_w:.1f}" height="26" rx="4" fill="{OUT}"/>',
        f'<line x1="{limit_x:.1f}" y1="20" x2="{limit_x:.1f}" y2="76" stroke="{LIMIT}" stroke-width="2" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{limit_x + 4:.1f}" y="72" class="limit">limit {result.share_max_pct} %</text>',
        f'<text x="10" y="18">{escape(title)}</text>',
        f'<text x="10" y="92" class="muted">outsourced {result.outsourced_monthly_hours} of '
        f"{result.monthly_hours} h/month</text>",
    ]
    if rows:
        parts.append('<text x="10" y="118" class="muted">Monthly hours per task (dark = outsourced)</text>')
    for index, task in enumerate(rows):
        y = 128 + index * 26
        hours = task.monthly_hours
        width = float(hours / longest) * BAR_W
        colour = OUT if task.is_outsourced else IN
        name = task.name if len(task.name) <= 22 else task.name[:21] + "…"
        parts += [
            f'<text x="10" y="{y + 14}">{escape(name)}</text>',
            f'<rect x="{LABEL_W}" y="{y}" width="{max(width, 2):.1f}" height="18" rx="3" fill="{colour}">'
            f"<title>{escape(task.name)}: {hours} h/month, "
            f"{'outsourced' if task.is_outsourced else 'in-house'}</title></rect>",
            f'<text x="{LABEL_W + max(width, 2) + 6:.1f}" y="{y + 14}" class="muted">{hours} h</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text piece above is escaped)
