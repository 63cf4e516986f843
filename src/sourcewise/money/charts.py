"""The fair band as a small SVG bar, rendered on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from sourcewise.money.conversion import money
from sourcewise.money.fairband import FairBand, RateClass

WIDTH, HEIGHT, PAD = 480, 132, 12
BAR_Y, BAR_H = 38, 28
ZONE_COLOURS = {
    RateClass.BELOW_MARKET: "#fecdca",
    RateClass.UNDER_FLOOR: "#fedf89",
    RateClass.FAIR: "#a6f4c5",
    RateClass.ABOVE_HOME: "#fddcab",
    RateClass.UNKNOWN: "#e4e7ec",
}
MARKER = {
    RateClass.BELOW_MARKET: "#b42318",
    RateClass.UNDER_FLOOR: "#b54708",
    RateClass.FAIR: "#067647",
    RateClass.ABOVE_HOME: "#b54708",
    RateClass.UNKNOWN: "#344054",
}


def _zones(band: FairBand, end: Decimal) -> list[tuple[Decimal, Decimal, RateClass]]:
    market, floor, ceiling = band.market_rate, band.floor, band.ceiling
    if market is None or floor is None:
        return [(Decimal(0), end, RateClass.UNKNOWN)]
    fair_from = max(floor, market)
    zones = [(Decimal(0), market, RateClass.BELOW_MARKET), (market, fair_from, RateClass.UNDER_FLOOR)]
    if ceiling is None:
        zones.append((fair_from, end, RateClass.UNKNOWN))
    else:
        zones.append((fair_from, ceiling, RateClass.FAIR))
        zones.append((max(ceiling, market), end, RateClass.ABOVE_HOME))
    return [(a, b, cls) for a, b, cls in zones if b > a]


def fair_band_svg(band: FairBand, *, uid: str = "") -> SafeString:
    """The band as SVG; `uid` keeps the title ids unique when a page shows several bands."""
    r = band.converted_rate
    points = [v for v in (band.market_rate, band.floor, band.ceiling, r) if v is not None]
    end = max(points) * Decimal("1.2") if points and max(points) > 0 else Decimal(1)

    def x(value: Decimal) -> float:
        return round(PAD + float(min(value, end) / end) * (WIDTH - 2 * PAD), 1)

    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        (
            (x(a), BAR_Y, max(round(x(b) - x(a), 1), 0.5), BAR_H, ZONE_COLOURS[cls], band_label(cls))
            for a, b, cls in _zones(band, end)
        ),
    )
    ticks = []
    labels = [("market", band.market_rate), ("floor", band.floor), ("home", band.ceiling)]
    shown = [(name, v) for name, v in labels if v is not None]
    for i, (name, value) in enumerate(shown):
        y = BAR_Y + BAR_H + 20 + (22 if i % 2 else 0)
        ticks.append(
            format_html(
                '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="#475467" stroke-width="1"/>'
                '<text x="{x}" y="{ty}" text-anchor="{anchor}" font-size="14" fill="#344054">{name} {value}</text>',
                x=x(value),
                y1=BAR_Y,
                y2=BAR_Y + BAR_H + 4,
                ty=y,
                anchor=_anchor(x(value)),
                name=name,
                value=f"{value:,.2f}",
            )
        )
    mx = x(r)
    marker = format_html(
        '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{c}" stroke-width="3"/>'
        '<path d="M {l} 16 L {rr} 16 L {x} 26 Z" fill="{c}"/>'
        '<text x="{tx}" y="12" text-anchor="{anchor}" font-size="15" font-weight="600" fill="{c}">'
        "your rate {value}</text>",
        x=mx,
        l=mx - 6,
        rr=mx + 6,
        y1=26,
        y2=BAR_Y + BAR_H,
        c=MARKER[band.classification],
        tx=mx,
        anchor=_anchor(mx),
        value=money(r, band.base_currency),
    )
    description = f"{band.label}. {band.explanation}"
    return format_html(
        '<svg class="fair-band-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="fb-title{uid} fb-desc{uid}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        '<title id="fb-title{uid}">Fair band for {skill} in {country}</title><desc id="fb-desc{uid}">{desc}</desc>'
        '{rects}<rect x="{pad}" y="{by}" width="{bw}" height="{bh}" fill="none" stroke="#98a2b3" rx="3"/>'
        "{ticks}{marker}</svg>",
        w=WIDTH,
        h=HEIGHT,
        uid=uid,
        skill=band.skill_name,
        country=band.country_label,
        desc=description,
        rects=rects,
        pad=PAD,
        by=BAR_Y,
        bw=WIDTH - 2 * PAD,
        bh=BAR_H,
        ticks=mark_safe("".join(ticks)),  # noqa: S308 (each piece built by format_html)
        marker=marker,
    )


def _anchor(x: float) -> str:
    """Keep labels inside the picture: near an edge they grow inwards."""
    return "start" if x < WIDTH * 0.2 else ("end" if x > WIDTH * 0.8 else "middle")


def band_label(cls: RateClass) -> str:
    return {
        RateClass.BELOW_MARKET: "below the local market",
        RateClass.UNDER_FLOOR: "under the fair floor",
        RateClass.FAIR: "fair band",
        RateClass.ABOVE_HOME: "above the home market",
        RateClass.UNKNOWN: "unknown",
    }[cls]
