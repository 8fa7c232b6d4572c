"""Small inline SVG charts for the HTML report.

Hand-written on purpose: the report must open offline as one file, and the charts are a handful of bar
charts. matplotlib would add a heavy compiled dependency to draw them; plotting libraries that emit HTML
(plotly, altair/vega) load JavaScript from a CDN or embed megabytes of it.
"""

from __future__ import annotations

import math
from html import escape

BAR = "#3b6ea8"
OLD = "#b8c4d6"
WIDTH = 560


def _svg(height: int, body: list[str], title: str) -> str:
    return (f'<svg role="img" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def bar_chart(items: list[tuple[str, float]], title: str, *, max_items: int = 12) -> str:
    """Horizontal bars, one per (label, value): readable with long labels (languages, reasons)."""
    items = items[:max_items]
    if not items:
        return _svg(30, ['<text x="4" y="20" fill="#666">no data</text>'], title)
    label_w, row_h, top = 170, 22, 6
    peak = max(v for _, v in items) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        width = max(1.0, (WIDTH - label_w - 70) * value / peak) if value else 0
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(str(label)[:28])}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" fill="{BAR}">'
                    f"<title>{escape(str(label))}: {value:g}</title></rect>"
                    f'<text x="{label_w + width + 4:.1f}" y="{y + 15}">{value:g}</text>')
    return _svg(top * 2 + row_h * len(items), body, title)


def bin_counts(values: list[float], bins: int = 12) -> dict:
    """Equal-width bins: `{"edges": [n + 1 floats], "counts": [n ints]}`, small enough for a JSON report
    however many documents there are."""
    if not values:
        return {"edges": [], "counts": []}
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    step = (high - low) / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / step))] += 1
    return {"edges": [low + i * step for i in range(bins + 1)], "counts": counts}


def histogram(hist: dict, title: str, unit: str) -> str:
    """Vertical bars over the bins of `bin_counts`; a linear axis, so empty documents stay visible."""
    edges, counts = hist.get("edges") or [], hist.get("counts") or []
    if not counts:
        return _svg(30, ['<text x="4" y="20" fill="#666">no data</text>'], title)
    bins = len(counts)
    height, left, bottom, top = 200, 40, 40, 10
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top
    peak = max(counts)
    bar_w = plot_w / bins
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{peak}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, count in enumerate(counts):
        h = plot_h * count / peak if peak else 0
        x = left + i * bar_w
        start, end = edges[i], edges[i + 1]
        body.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                    f'fill="{BAR}"><title>{start:,.0f}–{end:,.0f} {escape(unit)}: {count}</title></rect>')
        if i % max(1, bins // 6) == 0:
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}">{_compact(start)}</text>')
    body.append(f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end">{_compact(edges[-1])}</text>'
                f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{escape(unit)}</text>')
    return _svg(height, body, title)


def paired_bars(items: list[tuple[str, float | None, float]], title: str, old_label: str, new_label: str) -> str:
    """Two bars per label (previous, current): what changed between versions at a glance."""
    if not items:
        return _svg(30, ['<text x="4" y="20" fill="#666">no data</text>'], title)
    label_w, row_h, top = 130, 34, 24
    peak = max(max(o or 0, n) for _, o, n in items) or 1
    scale = (WIDTH - label_w - 80) / peak
    body = [f'<rect x="{label_w}" y="4" width="10" height="10" fill="{OLD}"/>'
            f'<text x="{label_w + 14}" y="13">{escape(old_label)}</text>'
            f'<rect x="{label_w + 150}" y="4" width="10" height="10" fill="{BAR}"/>'
            f'<text x="{label_w + 164}" y="13">{escape(new_label)}</text>']
    for i, (label, old, new) in enumerate(items):
        y = top + i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 19}" text-anchor="end">{escape(label)}</text>')
        for j, (value, colour) in enumerate(((old, OLD), (new, BAR))):
            shown = "–" if value is None else f"{value:g}"
            width = max(0.0, (value or 0) * scale)
            body.append(f'<rect x="{label_w}" y="{y + 3 + j * 14}" width="{width:.1f}" height="12" '
                        f'fill="{colour}"/><text x="{label_w + width + 4:.1f}" y="{y + 13 + j * 14}" '
                        f'font-size="10">{shown}</text>')
    return _svg(top + row_h * len(items) + 4, body, title)


def _compact(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:.{0 if value >= 10_000 else 1}f}k"
    return f"{value:.0f}" if math.isfinite(value) else "?"
