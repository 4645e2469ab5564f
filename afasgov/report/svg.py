"""Inline SVG pictures for the HTML reports: no JavaScript, no external assets, printable.

* :func:`trend_chart` — findings by level over runs (stacked bars, oldest left, this run right);
* :func:`impact_matrix` — integrations × connectors with breaking changes (cell colour = worst level,
  number = how many changes).

Every piece of text is XML-escaped here; the result is safe to insert into HTML as markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from html import escape

from afasgov.findings import LEVELS
from afasgov.release.model import IntegrationImpact, TrendPoint
from afasgov.secrets import redact

COLOURS: dict[str, str] = {"ERR": "#c62828", "WARN": "#e08a00", "INFO": "#1f6fb2", "none": "#eef1f4"}
LEVEL_NAMES: dict[str, str] = {"ERR": "errors", "WARN": "warnings", "INFO": "info"}
#: column labels of the impact matrix longer than this are shortened with "…" (the full name is the tooltip)
LABEL_CHARS = 32
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\""


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _t(text: object) -> str:
    """Text for SVG: secrets redacted, characters XML cannot carry dropped, then escaped."""
    return escape(_XML_INVALID.sub("", redact(str(text))), quote=True)


def _nice_step(total: int, ticks: int = 4) -> int:
    """The smallest 'nice' integer step (1, 2, 2.5, 5 × 10ⁿ) with ``step * ticks >= total``."""
    need = max(1, -(-total // ticks))
    magnitude = 1
    while True:
        candidates = [magnitude, 2 * magnitude, 5 * magnitude]
        if magnitude >= 10:
            candidates.insert(2, 25 * magnitude // 10)
        for step in candidates:
            if step >= need:
                return step
        magnitude *= 10


def trend_chart(points: Sequence[TrendPoint], *, max_runs: int = 20) -> str:
    """Stacked bars of unwaived ERR/WARN/INFO per run; the last bar is the current run."""
    shown = list(points)[-max_runs:]
    width, height = 640, 240
    left, right, top, bottom = 44, 16, 28, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    total_max = max((sum(int(p.counts.get(lvl, 0)) for lvl in LEVELS) for p in shown), default=0)
    ticks = 4 if total_max >= 4 else max(total_max, 1)
    y_max = _nice_step(total_max, ticks) * ticks
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="trend-title" class="chart" {FONT} font-size="11">',
        '<title id="trend-title">Findings by level over the last '
        f'{len(shown)} run{"s" if len(shown) != 1 else ""} (unwaived)</title>',
    ]
    # grid and y labels
    for n in range(ticks + 1):
        value = y_max * n / ticks
        y = top + plot_h - plot_h * n / ticks
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     'stroke="#d5dbe1" stroke-width="1"/>')
        label = f"{value:.0f}"
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5560">{label}</text>')
    slot = plot_w / max(len(shown), 1)
    bar_w = min(44.0, slot * 0.7)
    for idx, point in enumerate(shown):
        x = left + slot * idx + (slot - bar_w) / 2
        y_cursor = float(top + plot_h)
        current = idx == len(shown) - 1
        tip = ", ".join(f"{int(point.counts.get(lvl, 0))} {lvl}" for lvl in LEVELS)
        parts.append(f"<g><title>{_t(point.run_id)}{' (this run)' if current else ''}: {_t(tip)}</title>")
        for lvl in LEVELS:
            count = int(point.counts.get(lvl, 0))
            if count <= 0:
                continue
            h = plot_h * count / y_max
            y_cursor -= h
            parts.append(f'<rect x="{x:.1f}" y="{y_cursor:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[lvl]}"/>')
        total = sum(int(point.counts.get(lvl, 0)) for lvl in LEVELS)
        weight = ' font-weight="700"' if current else ""
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y_cursor - 4:.1f}" text-anchor="middle" '
                     f'fill="#1d2329"{weight}>{total}</text>')
        parts.append("</g>")
        date = point.run_id[:10]
        clock = point.run_id[11:15]
        label = "this run" if current else f"{date[5:]} {clock[:2]}:{clock[2:]}"
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'fill="#4a5560" font-size="10">{_t(label)}</text>')
    if not shown:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no runs</text>')
    # legend
    lx = left
    for lvl in LEVELS:
        parts.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{COLOURS[lvl]}"/>')
        parts.append(f'<text x="{lx + 16}" y="{height - 8}" fill="#1d2329">{lvl}</text>')
        lx += 70
    parts.append(f'<text x="{left}" y="14" fill="#4a5560">unwaived findings per run</text>')
    parts.append("</svg>")
    return "".join(parts)


def impact_matrix(integrations: Sequence[IntegrationImpact], connectors: Sequence[str], *,
                  max_columns: int = 30) -> str:
    """Rows = integrations, columns = connectors with ERR/WARN changes; colour = worst level."""
    cols = list(connectors)[:max_columns]
    rows = list(integrations)
    if not rows or not cols:
        return ""
    cell, label_w = 26, 170
    # column labels are rotated 55°: room above the grid for the longest (at ~6.6 px per character), and
    # to the right of the last column, so that no label is clipped
    longest = max(len(_short(name, LABEL_CHARS)) for name in cols) * 6.6
    header_h = int(math.sin(math.radians(55)) * longest) + 18
    width = max(label_w + cell * len(cols) + int(math.cos(math.radians(55)) * longest) + 24, label_w + 340)
    height = header_h + cell * len(rows) + 40
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{min(width, 960)}" role="img" aria-labelledby="matrix-title" class="chart matrix" '
        f'{FONT} font-size="11">',
        '<title id="matrix-title">Integrations × connectors with breaking changes: colour = worst level, '
        'number = changes that affect the integration</title>',
    ]
    for c, name in enumerate(cols):
        x = label_w + c * cell + cell / 2
        parts.append(f'<text class="column" transform="translate({x + 4:.1f},{header_h - 6}) rotate(-55)" '
                     f'fill="#1d2329">{_t(_short(name, LABEL_CHARS))}<title>{_t(name)}</title></text>')
    for r, integ in enumerate(rows):
        y = header_h + r * cell
        parts.append(f'<text x="{label_w - 8}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" '
                     f'fill="#1d2329">{_t(_short(integ.name, 24))}<title>{_t(integ.name)}</title></text>')
        for c, name in enumerate(cols):
            x = label_w + c * cell
            level, count = integ.connectors.get(name, ("", 0))
            colour = COLOURS.get(level, COLOURS["none"]) if count else COLOURS["none"]
            parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                         f'fill="{colour}"><title>{_t(integ.name)} × {_t(name)}: '
                         f'{count} change{"s" if count != 1 else ""}'
                         f'{" (worst " + _t(level) + ")" if count else ""}</title></rect>')
            if count:
                parts.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                             f'fill="#ffffff" font-weight="700">{count}</text>')
    ly = height - 14
    lx = label_w
    for lvl, name in (("ERR", "breaks"), ("WARN", "may break"), ("none", "not affected")):
        parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{COLOURS[lvl]}" '
                     'stroke="#c0c8d0" stroke-width="0.5"/>')
        parts.append(f'<text x="{lx + 16}" y="{ly}" fill="#1d2329">{_t(name)}</text>')
        lx += 110
    parts.append("</svg>")
    return "".join(parts)


def level_bar(counts: Mapping[str, int], *, width: int = 220) -> str:
    """A single horizontal bar of the counts by level (summary card)."""
    total = sum(int(counts.get(lvl, 0)) for lvl in LEVELS)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 14" width="{width}" height="14" '
             'role="img" aria-label="share by level" class="levelbar">']
    if total == 0:
        parts.append(f'<rect x="0" y="0" width="{width}" height="14" rx="3" fill="{COLOURS["none"]}"/>')
    else:
        x = 0.0
        for lvl in LEVELS:
            w = width * int(counts.get(lvl, 0)) / total
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{COLOURS[lvl]}">'
                             f'<title>{int(counts.get(lvl, 0))} {lvl}</title></rect>')
                x += w
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["COLOURS", "impact_matrix", "level_bar", "trend_chart"]
