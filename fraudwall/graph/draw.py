"""A picture of a trace a person can read: the case entity in the middle, related entities on
rings by hop, coloured by type, flagged ones outlined in red, ids masked.

Plain SVG with a title and a legend, no script; labels are escaped.
"""

from __future__ import annotations

import math
from html import escape

from fraudwall.graph.model import EntityGraph
from fraudwall.graph.records import TYPE_WORDS, Record, show
from fraudwall.report.svg import PALETTE

TYPE_COLOURS = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(TYPE_WORDS)}
MAX_DRAWN = 40


def neighbourhood_svg(
    g: EntityGraph, entity: str, records: list[Record], *, unmasked: bool = False
) -> str:
    """The SVG of a trace's strongest ``MAX_DRAWN`` relations."""
    seed = g.resolve(entity)
    st = g.types([seed])[0]
    centre = show(st, g.displays([seed])[0], unmasked=unmasked)
    shown = records[:MAX_DRAWN]
    w, h = 900, 760
    cx, cy = w / 2, h / 2 + 20
    by_hop: dict[int, list[Record]] = {}
    for r in shown:
        by_hop.setdefault(int(r.extra.get("hops", 1)), []).append(r)
    pos: dict[str, tuple[float, float]] = {f"{st}|{centre}": (cx, cy)}
    body: list[str] = []
    radius = {1: 170.0, 2: 310.0}
    angle: dict[str, float] = {}
    for hop, recs in sorted(by_hop.items()):
        rad = radius.get(hop, 310.0 + 60 * (hop - 2))
        if hop == 1:
            slots = [2 * math.pi * i / max(len(recs), 1) for i in range(len(recs))]
        else:
            # Farther entities sit beside the first step of their path, fanned out a little.
            groups: dict[str, list[int]] = {}
            for i, r in enumerate(recs):
                first = (r.path or [{}])[0]
                groups.setdefault(
                    f"{first.get('entity_type')}|{first.get('entity_id')}", []
                ).append(i)
            slots = [0.0] * len(recs)
            for j, (parent, members) in enumerate(sorted(groups.items())):
                base = angle.get(parent, 2 * math.pi * j / max(len(groups), 1))
                for k, i in enumerate(members):
                    slots[i] = base + 0.12 * (k - (len(members) - 1) / 2)
        for r, a in zip(recs, slots, strict=True):
            key = f"{r.entity_type}|{r.entity_id}"
            angle[key] = a
            pos[key] = (cx + rad * math.cos(a), cy + rad * math.sin(a))
    # edges along each record's path
    for r in shown:
        prev = f"{st}|{centre}"
        for step in r.path or []:
            key = f"{step['entity_type']}|{step['entity_id']}"
            if key in pos and prev in pos:
                (x1, y1), (x2, y2) = pos[prev], pos[key]
                width = 0.5 + 3 * float(step.get("strength", 0.5))
                body.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke="#999" stroke-width="{width:.1f}"><title>'
                    f"{escape(str(step['relation']))}</title></line>"
                )
            prev = key
    body.append(_node(cx, cy, st, centre, flagged=False, big=True))
    for r in shown:
        x, y = pos[f"{r.entity_type}|{r.entity_id}"]
        body.append(
            _node(
                x,
                y,
                r.entity_type,
                r.entity_id,
                flagged=bool(r.extra.get("flagged")),
                tip="; ".join(r.reasons),
            )
        )
    legend = []
    lx = 20.0
    for t, colour in TYPE_COLOURS.items():
        legend.append(f'<circle cx="{lx + 6:.0f}" cy="52" r="6" fill="{colour}"/>')
        legend.append(f'<text x="{lx + 16:.0f}" y="56" font-size="12">{TYPE_WORDS[t]}</text>')
        lx += 30 + 7 * len(TYPE_WORDS[t])
    legend.append(
        f'<circle cx="{lx + 6:.0f}" cy="52" r="6" fill="white" stroke="#C0392B" '
        f'stroke-width="3"/><text x="{lx + 16:.0f}" y="56" font-size="12">flagged</text>'
    )
    title = f"Relations of {TYPE_WORDS.get(st, st)} {centre} ({len(shown)} strongest)"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" role="img">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{w}" height="{h}" fill="white"/>'
        f'<text x="20" y="28" font-size="16" font-weight="bold">{escape(title)}</text>'
        + "".join(legend)
        + "".join(body)
        + "</svg>"
    )


def _node(
    x: float, y: float, etype: str, label: str, *, flagged: bool, big: bool = False, tip: str = ""
) -> str:
    r = 14 if big else 8
    colour = TYPE_COLOURS.get(etype, "#555")
    stroke = ' stroke="#C0392B" stroke-width="3"' if flagged else ' stroke="#333" stroke-width="1"'
    text = label if len(label) <= 22 else label[:10] + "…" + label[-6:]
    return (
        f"<g><title>{escape(TYPE_WORDS.get(etype, etype))} {escape(label)}"
        f"{(': ' + escape(tip)) if tip else ''}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"{stroke}/>'
        f'<text x="{x + r + 3:.1f}" y="{y + 4:.1f}" font-size="{12 if big else 10}">'
        f"{escape(text)}</text></g>"
    )
