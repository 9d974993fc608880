"""Small inline SVG charts for the HTML report: horizontal bars, histograms and line charts.

No JavaScript and nothing fetched from the network: each function returns a complete ``<svg>``
element as :class:`markupsafe.Markup`, sized in pixels, styled by the report's CSS classes
(``.axis``, ``.grid``, ``.label``). Labels are escaped here, so data can never inject markup.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

from markupsafe import Markup

#: Colours that stay distinct for colour-blind readers (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
LEVEL_COLOURS = {"high": "#C0392B", "medium": "#E69F00", "low": "#7F8C8D"}

Fmt = Callable[[float], str]


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.2g}"


def _svg(width: float, height: float, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(names: Sequence[str], colours: Sequence[str], x: float, y: float) -> list[str]:
    out, cx = [], x
    for name, colour in zip(names, colours, strict=True):
        out.append(f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text class="label" x="{cx + 14:.1f}" y="{y:.1f}">{escape(name)}</text>')
        cx += 24 + 7 * len(name)
    return out


def _nice_step(v: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above ``v``."""
    power = 10.0 ** math.floor(math.log10(v))
    return next(s * power for s in (1, 2, 5, 10) if s * power >= v * (1 - 1e-12))


def _ticks(vmax: float, *, integer: bool = False, n: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least ``vmax``, about ``n`` steps (whole steps for counts).

    >>> _ticks(0.37), _ticks(3, integer=True)
    ([0.0, 0.1, 0.2, 0.3, 0.4], [0.0, 1.0, 2.0, 3.0])
    """
    if vmax <= 0:
        return [0.0, 1.0]
    step = _nice_step(vmax / n)
    if integer:
        step = max(step, 1.0)
    top = math.ceil(vmax / step - 1e-9)
    return [round(i * step, 10) for i in range(top + 1)]


def hbar(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    colours: Mapping[str, str] | None = None,
    stacked: bool = True,
    fmt: Fmt = _num,
    width: int = 560,
    x_max: float | None = None,
) -> Markup:
    """Horizontal bars, one row per label; several series are stacked or side by side.

    NaN values draw no bar (and read "—" beside side-by-side bars).

    >>> "<rect" in hbar(["a", "b"], {"n": [3, 1]}, title="t")
    True
    """
    names = list(series)
    cols = [(colours or {}).get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    rows = len(labels)
    per_row = 1 if stacked else max(len(names), 1)
    bar_h = 16 if stacked else 10
    row_h = bar_h * per_row + 8
    left = min(max((7 * max((len(s) for s in labels), default=4)) + 12, 60), 240)
    right, top = 70, 28 if len(names) > 1 else 8
    height = top + rows * row_h + 24

    def val(name: str, i: int) -> float:
        v = float(series[name][i])
        return 0.0 if math.isnan(v) else v

    totals = [
        sum(val(n, i) for n in names) if stacked else max((val(n, i) for n in names), default=0.0)
        for i in range(rows)
    ]
    values = [val(n, i) for n in names for i in range(rows)]
    ticks = (
        [x_max * f for f in (0.0, 0.25, 0.5, 0.75, 1.0)]
        if x_max is not None
        else _ticks(max(totals, default=0.0), integer=all(v.is_integer() for v in values))
    )
    vmax = ticks[-1]
    plot_w = width - left - right
    scale = plot_w / vmax if vmax > 0 else 0.0
    body: list[str] = []
    if len(names) > 1:
        body += _legend(names, cols, left, 16)
    for tick in ticks:
        x = left + tick * scale
        body.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" '
            f'y2="{top + rows * row_h}"/>'
            f'<text class="label muted" x="{x:.1f}" y="{top + rows * row_h + 14}" '
            f'text-anchor="middle">{escape(fmt(tick))}</text>'
        )
    for i, label in enumerate(labels):
        y = top + i * row_h + 4
        body.append(
            f'<text class="label" x="{left - 6}" y="{y + (row_h - 8) / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(str(label))}</text>'
        )
        x = float(left)
        for j, (name, colour) in enumerate(zip(names, cols, strict=True)):
            v = float(series[name][i])
            w = 0.0 if math.isnan(v) else max(v * scale, 0.0)
            by = y if stacked else y + j * bar_h
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                    f'fill="{colour}"><title>{escape(f"{label} · {name}: {fmt(v)}")}</title></rect>'
                )
            if stacked:
                x += w
            else:
                body.append(
                    f'<text class="label" x="{left + w + 4:.1f}" y="{by + bar_h - 4:.1f}">'
                    f"{escape('—' if math.isnan(v) else fmt(v))}</text>"
                )
        if stacked:
            body.append(
                f'<text class="label" x="{x + 4:.1f}" y="{y + bar_h - 4:.1f}">'
                f"{escape(fmt(totals[i]))}</text>"
            )
    return _svg(width, height, title, body)


def histogram(
    series: Mapping[str, Sequence[int]],
    edges: Sequence[float],
    *,
    title: str,
    colours: Mapping[str, str] | None = None,
    width: int = 300,
    height: int = 130,
) -> Markup:
    """A histogram over bin ``edges``; several series are stacked in each bin.

    >>> "<rect" in histogram({"n": [1, 2]}, [0.0, 0.5, 1.0], title="t")
    True
    """
    names = list(series)
    cols = [(colours or {}).get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    left, right, top, bottom = 34, 10, 20, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = float(edges[0]), float(edges[-1])
    span = (hi - lo) or 1.0
    totals = [sum(int(series[n][i]) for n in names) for i in range(len(edges) - 1)]
    cmax = max(max(totals, default=0), 1)

    def sx(v: float) -> float:
        return left + (v - lo) / span * plot_w

    body = [f'<text class="label strong" x="{left}" y="13">{escape(title)}</text>']
    body.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}"/>'
        f'<text class="label muted" x="{left - 4}" y="{top + 8}" text-anchor="end">{cmax}</text>'
        f'<text class="label muted" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
    )
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        base = float(top + plot_h)
        for name, colour in zip(names, cols, strict=True):
            c = int(series[name][i])
            if c <= 0:
                continue
            h = plot_h * c / cmax
            base -= h
            body.append(
                f'<rect x="{sx(a) + 0.5:.1f}" y="{base:.1f}" '
                f'width="{max(sx(b) - sx(a) - 1, 0.5):.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(name)} {a:.2f}–{b:.2f}: {c}</title></rect>"
            )
    for v in (lo, (lo + hi) / 2, hi):
        body.append(
            f'<text class="label muted" x="{sx(v):.1f}" y="{height - 6}" '
            f'text-anchor="middle">{v:g}</text>'
        )
    return _svg(width, height, title, body)


def lines(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    colours: Mapping[str, str] | None = None,
    x_label: str = "",
    fmt: Fmt = _num,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """A line chart of several series over a shared x axis, with a legend.

    >>> "<polyline" in lines([0, 1], {"a": [0.5, 0.2]}, title="t")
    True
    """
    names = list(series)
    cols = [(colours or {}).get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    left, right, top, bottom = 48, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    x0, x1 = float(min(x, default=0)), float(max(x, default=1))
    xspan = (x1 - x0) or 1.0
    ticks = _ticks(max((float(v) for s in series.values() for v in s), default=0.0))
    vmax = ticks[-1]

    def sx(v: float) -> float:
        return left + (float(v) - x0) / xspan * plot_w

    def sy(v: float) -> float:
        return top + plot_h - float(v) / vmax * plot_h

    body = _legend(names, cols, left, 16)
    for tick in ticks:
        y = sy(tick)
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}"/>'
            f'<text class="label muted" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )
    step = max(1, round(len(x) / 12))
    for v in list(x)[::step]:
        body.append(
            f'<text class="label muted" x="{sx(v):.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{v:g}</text>'
        )
    if x_label:
        body.append(
            f'<text class="label muted" x="{left + plot_w / 2:.1f}" y="{height - 4}" '
            f'text-anchor="middle">{escape(x_label)}</text>'
        )
    for name, colour in zip(names, cols, strict=True):
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x, series[name], strict=True))
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}">'
            f"<title>{escape(name)}</title></polyline>"
        )
    return _svg(width, height, title, body)
