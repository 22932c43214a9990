"""Charts drawn on the server as SVG (no script in the browser): stacked bars of pages per day per hot folder, and
lines of mean OCR confidence per scanner profile. Every label is escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

COLORS = ["#1f6fb2", "#e07b00", "#2a9d55", "#b23a48", "#7b52ab", "#8c6d1f", "#2b8a9a", "#666666"]
W, H = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40


def _frame(days: list[str], top: float, unit: str, title: str) -> list[str]:
    plot_h = H - TOP - BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H + 24}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for k in range(5):
        v = top * k / 4
        y = TOP + plot_h - plot_h * k / 4
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{v:.0f}{escape(unit)}</text>')
    step = (W - LEFT - RIGHT) / max(1, len(days))
    for i, d in enumerate(days):
        if i % max(1, len(days) // 7) == 0 or i == len(days) - 1:
            out.append(f'<text x="{LEFT + step * (i + 0.5):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle" '
                       f'font-size="10">{escape(d[5:])}</text>')
    return out


def _legend(names: list[str]) -> list[str]:
    out, x = [], LEFT
    for i, name in enumerate(names):
        out.append(f'<rect x="{x}" y="{H - 10}" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>')
        out.append(f'<text x="{x + 14}" y="{H - 1}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return out


def stacked_bars(days: list[str], series: dict[str, list[int]], title: str, unit: str = "") -> Markup:
    names = list(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(days))]
    top = 4 * _nice(max([*totals, 4]) / 4)  # four grid steps of 1, 2 or 5 x 10^k pages
    out = _frame(days, top, unit, title)
    plot_h = H - TOP - BOTTOM
    step = (W - LEFT - RIGHT) / max(1, len(days))
    for i, day in enumerate(days):
        y = TOP + plot_h
        for k, name in enumerate(names):
            v = series[name][i]
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            out.append(f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                       f'height="{h:.1f}" fill="{COLORS[k % len(COLORS)]}"><title>{escape(day)} '
                       f'{escape(name)}: {v}</title></rect>')
    out += _legend(names)
    out.append("</svg>")
    return Markup("".join(out))


def lines(days: list[str], series: dict[str, list[float | None]], title: str, top: float = 100,
          unit: str = "") -> Markup:
    names = list(series)
    out = _frame(days, top, unit, title)
    plot_h = H - TOP - BOTTOM
    step = (W - LEFT - RIGHT) / max(1, len(days))
    for k, name in enumerate(names):
        color = COLORS[k % len(COLORS)]
        pts = [(LEFT + step * (i + 0.5), TOP + plot_h - plot_h * min(v, top) / top, v)
               for i, v in enumerate(series[name]) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y, v), day in zip(pts, [d for d, v in zip(days, series[name]) if v is not None]):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(day)} '
                       f'{escape(name)}: {v:.1f}</title></circle>')
    out += _legend(names)
    out.append("</svg>")
    return Markup("".join(out))


def _nice(v: float) -> float:
    """The next round number at or above ``v`` (1, 2, 5 x 10^k)."""
    mag = 1.0
    while mag * 10 <= v:
        mag *= 10
    while mag > v and mag > 1:
        mag /= 10
    for m in (1, 2, 5, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag
