"""One self-contained HTML report per run: :func:`render_report` and :func:`write_report`.

The report is a single file that opens offline and prints well: inline CSS, charts as inline
SVG drawn here (no JavaScript, no fonts, images or stylesheets from elsewhere), and every
value from the data HTML-escaped (customer records can hold anything, ``<script>`` included).
Its sections: run summary, normalisation quality, blocking, the match model, the distribution
of match weights, cluster sizes, doubtful clusters (review pairs with both records side by
side, clusters cut by the chaining guard) and, given the truth, accuracy with the worst false
merges and splits.

It stays small for any run size: histograms are counted with numpy, tables are capped, and
only the records shown are looked up, so a run of a million records renders in seconds.

Example:
    >>> import custmatch
    >>> from custmatch.pipeline import deduplicate
    >>> records, truth = custmatch.load_example()
    >>> result = deduplicate(records, progress=False)
    >>> page = render_report(result, truth=truth)
    >>> page.startswith("<!DOCTYPE html>") and "Doubtful clusters" in page
    True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import math
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custmatch.evaluate import false_merges, false_splits

if TYPE_CHECKING:  # pragma: no cover
    from custmatch.model import MatchModel
    from custmatch.pipeline import Result

__all__ = ["render_report", "write_report"]

#: Most rows any table shows; the rest are counted in a note.
MAX_ROWS = 100
#: Worst false merges / splits shown with their records.
MAX_ERRORS = 5
#: Guard splits shown with their records.
MAX_SPLITS = 10

_SECTIONS = {
    "summary": "Run summary",
    "quality": "Normalisation quality",
    "blocking": "Blocking",
    "model": "Match model",
    "weights": "Match-weight distribution",
    "clusters": "Cluster sizes",
    "review": "Doubtful clusters",
    "truth": "Accuracy against the truth",
}
_POS, _NEG, _BAR, _MUTED, _LINE = "#2e7d32", "#c62828", "#4c78a8", "#9e9e9e", "#e65100"
_NA = '<span class="na">–</span>'
_Format = Callable[[Any], str]

_CSS = """
:root { --ink:#1f2328; --muted:#656d76; --rule:#d0d7de; --soft:#f6f8fa; --accent:#0b5cad; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px 32px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0 0 12px; color: var(--muted); }
h2 { font-size: 20px; border-bottom: 1px solid var(--rule); padding-bottom: 4px;
  margin-top: 36px; break-after: avoid; }
h3 { font-size: 15px; margin: 20px 0 6px; break-after: avoid; }
nav.toc ol { columns: 2; margin: 0; padding-left: 22px; }
nav.toc a, a { color: var(--accent); text-decoration: none; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
  gap: 8px; margin: 12px 0; }
.stat { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 10px;
  background: var(--soft); break-inside: avoid; }
.stat .v { display: block; font-size: 20px; font-weight: 600; }
.stat .k { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 8px; text-align: left;
  vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--rule); }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody.group { border-top: 2px solid var(--ink); }
tr.gh th { background: var(--soft); font-weight: 600; }
.col-birth_date, .col-record_id, .col-cluster_id, .col-entity_id { white-space: nowrap; }
.wide { overflow-x: auto; }
.na { color: #b0b7bf; }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0; }
.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr));
  gap: 10px; }
.pair { border: 1px solid var(--rule); border-radius: 6px; padding: 6px 10px;
  break-inside: avoid; }
.pair h3 { margin: 2px 0 4px; font-size: 13.5px; }
.pair table { width: 100%; margin: 0; }
.pair th { width: 90px; color: var(--muted); font-weight: 500; }
.pair td { width: 45%; overflow-wrap: anywhere; }
tr.diff td { background: #fff4e5; }
.ev { font-size: 12px; }
.ev .pos { color: #2e7d32; } .ev .neg { color: #c62828; } .ev .nul { color: #8c959f; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 4px; }
svg text { font: 11px system-ui, Arial, sans-serif; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px;
  vertical-align: -1px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px;
  border-top: 1px solid var(--rule); padding-top: 8px; }
@media print { body { max-width: none; padding: 0; font-size: 11px; }
  section { break-before: page; } section#summary { break-before: auto; }
  .pairs { grid-template-columns: 1fr 1fr; } .wide { overflow: visible; } }
"""


# ---------------------------------------------------------------------- values
def _missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA (never for lists or arrays)."""
    if value is None:
        return True
    if isinstance(value, list | tuple | set | dict | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> str:
    """A value as display text (not escaped): ints with separators, floats to 4 digits.

    Example:
        >>> _plain(1234567), _plain(0.000123), _plain(float("inf")), _plain(("a", "b"))
        ('1,234,567', '0.000123', '∞', 'a, b')
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple | set | np.ndarray):
        return ", ".join(_plain(v) for v in value if not _missing(v))
    return str(value)


def _cell(value: Any, fmt: _Format | None = None) -> str:
    """A value as escaped HTML; missing values as a light dash.

    Example:
        >>> _cell("<script>alert(1)</script>")
        '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if _missing(value):
        return _NA
    return html.escape(fmt(value) if fmt is not None else _plain(value))


def _esc(text: object) -> str:
    return html.escape(str(text))


def _prob(value: Any) -> str:
    return f"{float(value):.4f}"


def _pct(value: Any) -> str:
    return f"{100 * float(value):.1f}%"


def _weight_of(probability: float) -> float:
    """The match weight of a probability: ``log2(p / (1 - p))``.

    Example:
        >>> round(_weight_of(0.95), 3), _weight_of(0.5), _weight_of(1.0)
        (4.248, 0.0, inf)
    """
    p = float(probability)
    if p <= 0:
        return -math.inf
    return math.inf if p >= 1 else math.log2(p / (1 - p))


# ---------------------------------------------------------------------- tables
def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _table(frame: pd.DataFrame, columns: Mapping[str, str] | None = None, *,
           formats: Mapping[str, _Format] | None = None, limit: int = MAX_ROWS,
           group: str | None = None, heading: Callable[[Mapping[str, Any]], str] | None = None,
           markup: Sequence[str] = ()) -> str:
    """``frame`` as an escaped HTML table of at most ``limit`` rows.

    ``columns`` maps column -> header. Each change of the value in column ``group`` starts
    a row group under a full-width row ``heading(first row)`` (escaped). Columns in
    ``markup`` hold HTML made here (charts) and are not escaped.
    """
    columns = dict(columns) if columns else {c: c for c in frame.columns}
    columns = {c: h for c, h in columns.items() if c in frame.columns}
    if frame.empty:
        return '<p class="note">None.</p>'
    formats = formats or {}
    attrs = {c: f' class="{"num " if _is_numeric(frame[c]) else ""}col-{_esc(c)}"'
             for c in columns}
    head = "".join(f"<th{attrs[c]}>{_esc(h)}</th>" for c, h in columns.items())
    rows, last = [], object()
    for record in frame.iloc[:limit].to_dict("records"):
        if group is not None and record[group] != last:
            last = record[group]
            title = _esc(heading(record)) if heading else ""
            rows.append(f'</tbody><tbody class="group"><tr class="gh"><th colspan='
                        f'"{len(columns)}">{title}</th></tr>' if title else
                        '</tbody><tbody class="group">')
        rows.append("<tr>" + "".join(
            f"<td{attrs[c]}>"
            f"{record[c] if c in markup else _cell(record[c], formats.get(c))}</td>"
            for c in columns) + "</tr>")
    note = (f'<p class="note">Showing the first {limit:,} of {len(frame):,} rows.</p>'
            if len(frame) > limit else "")
    return (f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            f"</tbody></table></div>{note}")


def _kv_table(items: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_cell(v)}</td></tr>" for k, v in items)
    return f"<table>{rows}</table>"


# ---------------------------------------------------------------------- SVG charts
_WIDTH = 760


def _ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """About ``n`` round tick values covering ``[lo, hi]``.

    Example:
        >>> _ticks(0, 230).tolist()
        [0.0, 50.0, 100.0, 150.0, 200.0]
    """
    span = (hi - lo) or 1.0
    raw = span / n
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return np.arange(math.ceil(lo / step) * step, hi + step * 1e-9, step)


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (f'<svg class="chart" role="img" aria-label="{_esc(label)}" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
            f"<title>{_esc(label)}</title>{body}</svg>")


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> str:
    title = f"<title>{_esc(tip)}</title>" if tip else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
            f'fill="{fill}">{title}</rect>')


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{_esc(text)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}"{extra}/>')


def _share_bar(parts: Sequence[tuple[float, str, str]], width: float = 120) -> str:
    """A small stacked bar of shares (``share, colour, label``) for a table cell."""
    x, body = 0.0, []
    for share, colour, label in parts:
        if _missing(share):
            continue
        w = width * min(max(float(share), 0.0), 1.0)
        body.append(_rect(x, 0, w, 10, colour, f"{label}: {100 * share:.1f}%"))
        x += w
    body.append(f'<rect x="0" y="0" width="{width}" height="10" fill="none" stroke="#d0d7de"/>')
    return (f'<svg width="{width}" height="10" viewBox="0 0 {width} 10">'
            f'{"".join(body)}</svg>')


def _hbar_chart(labels: Sequence[str], values: Sequence[float], *, axis: str, title: str,
                colours: tuple[str, str] = (_POS, _NEG)) -> str:
    """Horizontal bars from a zero line, coloured ``(positive, negative)``."""
    vals = np.nan_to_num(np.asarray(values, dtype=float))
    labels = [s if len(s) <= 44 else s[:43] + "…" for s in labels]
    label_w = 10 + 6.3 * max((len(s) for s in labels), default=1)
    plot_w, row = _WIDTH - label_w - 20, 17
    lo, hi = min(0.0, float(vals.min(initial=0))), max(0.0, float(vals.max(initial=0)))
    ticks = _ticks(lo, hi, 8)
    lo, hi = min(lo, float(ticks[0])), max(hi, float(ticks[-1]))

    def x(v: float) -> float:
        return label_w + (v - lo) / ((hi - lo) or 1) * plot_w

    height = 10 + row * len(vals)
    body = [_line(x(t), 6, x(t), height, "#eaeef2") + _text(x(t), height + 14, f"{t:g}", "middle")
            for t in ticks]
    for i, (label, v) in enumerate(zip(labels, vals, strict=True)):
        y = 8 + i * row
        body.append(_text(label_w - 6, y + 11, label, "end"))
        body.append(_rect(min(x(0), x(v)), y + 2, abs(x(v) - x(0)), row - 5,
                          colours[0] if v >= 0 else colours[1], f"{label}: {v:+,.2f}"))
    body.append(_line(x(0), 4, x(0), height, "#1f2328"))
    body.append(_text(label_w + plot_w / 2, height + 30, axis, "middle"))
    return _svg(_WIDTH, height + 38, "".join(body), title)


def _y_scale(top: float, log: bool) -> tuple[Callable[[float], float], list[tuple[float, str]]]:
    """Map a count to a 0..1 height (linear or log) and the y-axis ticks."""
    if log:
        span = math.log10(1 + top) or 1.0

        def scale(c: float) -> float:
            return math.log10(1 + max(c, 0)) / span

        ticks = [10**k for k in range(int(math.log10(max(top, 1))) + 1)]
        return scale, [(scale(t), f"{t:,}") for t in ticks]
    return ((lambda c: c / (top or 1)),
            [(t / (top or 1), f"{t:,.0f}") for t in _ticks(0, top) if t <= top])


def _frame_axes(left: float, top: float, plot_w: float, plot_h: float,
                yticks: list[tuple[float, str]], ylabel: str) -> list[str]:
    body = []
    for frac, label in yticks:
        y = top + plot_h * (1 - frac)
        body.append(_line(left, y, left + plot_w, y, "#eaeef2"))
        body.append(_text(left - 5, y + 4, label, "end"))
    body.append(_line(left, top + plot_h, left + plot_w, top + plot_h, "#1f2328"))
    body.append(_text(14, top + plot_h / 2, ylabel, "middle",
                      f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"'))
    return body


def _histogram_chart(edges: np.ndarray, counts: np.ndarray, colours: Sequence[str], *,
                     markers: Sequence[tuple[float, str, str, str]], xlabel: str, log: bool,
                     title: str) -> str:
    """Bars over a continuous x axis (``edges``), with vertical marker lines."""
    left, top, plot_w, plot_h = 70, 28, _WIDTH - 90, 240
    lo, hi = float(edges[0]), float(edges[-1])
    scale, yticks = _y_scale(float(counts.max(initial=0)), log)

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / ((hi - lo) or 1) * plot_w

    body = _frame_axes(left, top, plot_w, plot_h,
                       yticks, "pairs (log scale)" if log else "pairs")
    for a, b, c, colour in zip(edges[:-1], edges[1:], counts, colours, strict=True):
        h = plot_h * scale(float(c))
        body.append(_rect(x(a) + 0.5, top + plot_h - h, x(b) - x(a) - 1, h, colour,
                          f"{a:g} to {b:g}: {int(c):,} pairs"))
    for t in _ticks(lo, hi, 10):
        body.append(_text(x(t), top + plot_h + 15, f"{t:g}", "middle"))
    for value, label, colour, anchor in markers:
        if math.isfinite(value) and lo <= value <= hi:
            body.append(_line(x(value), top - 6, x(value), top + plot_h, colour,
                              ' stroke-width="2" stroke-dasharray="5 3"'))
            shift = 4 if anchor == "start" else -4
            body.append(_text(x(value) + shift, top - 9, label, anchor, f' fill="{colour}"'))
    body.append(_text(left + plot_w / 2, top + plot_h + 34, xlabel, "middle"))
    return _svg(_WIDTH, top + plot_h + 42, "".join(body), title)


def _short(count: float) -> str:
    """A count in at most about four characters.

    Example:
        >>> _short(950), _short(1234), _short(523_000), _short(2_400_000)
        ('950', '1.2k', '523k', '2.4M')
    """
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if count >= size:
            value = count / size
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
    return f"{count:,.0f}"


def _column_chart(labels: Sequence[str], counts: Sequence[int], *, xlabel: str, ylabel: str,
                  log: bool, title: str) -> str:
    """One labelled bar per category, its count on top."""
    left, top, plot_h = 70, 24, 220
    plot_w = min(_WIDTH - 90, max(120, 46 * len(counts)))
    scale, yticks = _y_scale(float(max(counts, default=0)), log)
    slot = plot_w / max(len(counts), 1)
    tilt = slot < 6.5 * max((len(s) for s in labels), default=1)
    body = _frame_axes(left, top, plot_w, plot_h, yticks, ylabel)
    for i, (label, c) in enumerate(zip(labels, counts, strict=True)):
        h, middle = plot_h * scale(float(c)), left + (i + 0.5) * slot
        body.append(_rect(middle - slot * 0.35, top + plot_h - h, slot * 0.7, h, _BAR,
                          f"{label}: {c:,}"))
        body.append(_text(middle, top + plot_h - h - 3, _short(c), "middle"))
        y = top + plot_h + 14
        body.append(_text(middle + 3, y, label, "end", f' transform="rotate(-35 {middle + 3:.1f}'
                          f' {y})"') if tilt else _text(middle, y, label, "middle"))
    axis_y = top + plot_h + (48 if tilt else 32)
    body.append(_text(left + plot_w / 2, axis_y, xlabel, "middle"))
    return _svg(left + plot_w + 20, axis_y + 8, "".join(body), title)


# ---------------------------------------------------------------------- records
_RECORD_FIELDS = {"record_id": "record", "source": "source", "name": "name",
                  "address": "address", "phone": "phone", "email": "e-mail",
                  "birth_date": "birth date"}


def _join(*parts: Any, sep: str = " ") -> str:
    return sep.join(_plain(p) for p in parts if not _missing(p) and _plain(p) != "")


def _display(row: Mapping[str, Any]) -> dict[str, str]:
    """The fields of one normalised record a person compares: name, address, phone, ..."""
    get = row.get
    surname = _join(get("surname"), _join(get("partner_prefix"), get("partner_surname")),
                    sep="-")
    name = _join(get("title"), get("first_name") if not _missing(get("first_name"))
                 else get("initials"), get("prefix"), surname)
    if not _missing(get("organisation")):
        name = _join(name, f"({_plain(get('organisation'))})") if name else get("organisation")
    street = _join(get("street"), _join(get("house_number"), get("house_number_addition"),
                                        sep=""))
    birth = get("birth_date")
    return {
        "record_id": _plain(get("record_id")), "source": _join(get("source")),
        "name": name, "address": _join(street, _join(get("postcode"), get("city")), sep=", "),
        "phone": _join(get("phone"), get("phone_2"), sep=", "), "email": _join(get("email")),
        "birth_date": birth.strftime("%Y-%m-%d") if isinstance(birth, pd.Timestamp)
        and not _missing(birth) else _join(birth),
    }


def _records_by_id(records: pd.DataFrame, ids: Sequence[Any]) -> dict[str, dict[str, str]]:
    """Display fields of the records with these ids (one pass over the id column)."""
    wanted = {str(i) for i in ids}
    if not wanted or "record_id" not in records.columns:
        return {}
    mask = records["record_id"].astype(str).isin(wanted).to_numpy()
    return {d["record_id"]: d for d in map(_display, records[mask].to_dict("records"))}


def _with_records(frame: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``record_id``) joined to the display fields of its records."""
    found = _records_by_id(records, frame["record_id"].tolist())
    shown = pd.DataFrame([found.get(str(i), {"record_id": str(i)}) for i in frame["record_id"]],
                         columns=list(_RECORD_FIELDS))
    return pd.concat([frame.drop(columns="record_id").reset_index(drop=True), shown], axis=1)


# ---------------------------------------------------------------------- sections
def _stats(items: Sequence[tuple[str, str, Any]]) -> str:
    cards = "".join(f'<div class="stat" data-key="{_esc(key)}"><span class="v">{_cell(v)}'
                    f'</span><span class="k">{_esc(label)}</span></div>'
                    for key, label, v in items)
    return f'<div class="stats">{cards}</div>'


def _cluster_sizes(result: Result) -> pd.Series:
    table = result.cluster_table
    if "size" in table.columns and len(table):
        return table["size"]
    return result.clusters.groupby("cluster_id", sort=False).size()


def _links(result: Result) -> int:
    probability = result.pairs["match_probability"].to_numpy(dtype=float, na_value=np.nan)
    return int((probability >= result.settings.threshold).sum())


def _summary_figures(result: Result) -> list[tuple[str, str, Any]]:
    """The run's headline figures as ``(key, label, value)``, as the summary shows them.

    Example:
        >>> import pandas as pd
        >>> from custmatch.pipeline import deduplicate
        >>> one = pd.DataFrame({"first_name": ["Jan"], "surname": ["Berg"]})
        >>> dict((k, v) for k, _, v in _summary_figures(deduplicate(one, progress=False)))[
        ...     "golden_records"]
        1
    """
    sizes = _cluster_sizes(result)
    households = result.clusters.get("household_id", pd.Series(dtype=object))
    source = result.records.get("source", pd.Series(dtype=object))
    return [
        ("records", "records", len(result.records)),
        ("sources", "sources", int(source.nunique())),
        ("candidate_pairs", "candidate pairs", len(result.pairs)),
        ("links", f"links (p ≥ {result.settings.threshold:g})", _links(result)),
        ("golden_records", "golden records", len(result.golden)),
        ("multi_record", "golden records of 2+", int((sizes > 1).sum())),
        ("largest_cluster", "largest cluster", int(sizes.max()) if len(sizes) else 0),
        ("households", "households", int(households.nunique())),
        ("review", "pairs to review", len(result.review)),
        ("guard_splits", "guard splits", len(result.splits)),
        ("threshold", "match threshold", float(result.settings.threshold)),
        ("total_seconds", "seconds in total", round(sum(result.timings.values()), 2)),
    ]


def _timing_table(timings: Mapping[str, float]) -> str:
    frame = pd.DataFrame({"stage": list(timings), "seconds": [float(v) for v in timings.values()]})
    total = float(frame["seconds"].sum()) or 1.0
    frame["share"] = [_share_bar([(s / total, _BAR, "share of the run")])
                      for s in frame["seconds"]]
    return _table(frame, {"stage": "stage", "seconds": "seconds", "share": "share"},
                  formats={"seconds": lambda v: f"{v:.2f}"}, markup=["share"])


def _summary_section(result: Result, version: str, created: str) -> str:
    settings, events = result.settings, result.events
    run = [("custmatch version", version), ("report created", created),
           ("match threshold", settings.threshold),
           ("review threshold", settings.review_threshold),
           ("conflict below", settings.conflict_below), ("households", settings.households),
           ("region", settings.region), ("seed", settings.seed)]
    if "event" in events.columns:
        run += [(f"events: {k}", v) for k, v in sorted(events["event"].value_counts().items())]
    return (_stats(_summary_figures(result)) + "<h3>Time per stage</h3>"
            + _timing_table(result.timings) + "<h3>Run settings</h3>" + _kv_table(run))


def _quality_section(result: Result) -> str:
    quality = result.quality.copy()
    if quality.empty:
        return '<p class="note">No normalisation quality report.</p>'
    rows = quality["rows"].where(quality["rows"] > 0).astype(float)
    quality["valid_share"] = quality["valid"] / quality["filled"].where(quality["filled"] > 0)
    parts = list(zip(["valid", "repaired", "invalid", "unusable"],
                     [_POS, "#81c784", _NEG, _MUTED], strict=True))
    quality["bar"] = [_share_bar([(row[p] / n, c, p) for p, c in parts])
                      for row, n in zip(quality.to_dict("records"), rows, strict=True)]
    columns = {"field": "field", "rows": "rows", "filled": "filled", "filled_share": "filled %",
               "valid": "valid", "repaired": "repaired", "invalid": "invalid",
               "unusable": "unusable", "valid_share": "valid % of filled", "bar": "of all rows",
               "invalid_examples": "invalid examples"}
    table = _table(quality, columns, formats={"filled_share": _pct, "valid_share": _pct},
                   markup=["bar"])
    return table + _legend(parts, "bar: share of all rows, the rest empty.")


def _blocking_section(result: Result) -> str:
    blocking = result.blocking
    out = []
    if blocking.empty:
        out.append('<p class="note">No blocking report.</p>')
    else:
        out.append(_table(blocking, {"rule": "rule", "pairs": "pairs produced",
                                     "new_pairs": "new pairs", "skipped_blocks": "skipped blocks",
                                     "skipped_records": "records in skipped blocks"}))
        if "new_pairs" in blocking.columns and blocking["new_pairs"].sum() > 0:
            out.append(_hbar_chart(blocking["rule"].astype(str).tolist(),
                                   blocking["new_pairs"].astype(float).tolist(),
                                   axis="new candidate pairs", title="New pairs per rule",
                                   colours=(_BAR, _BAR)))
    out.append("<h3>Skipped oversized blocks</h3>")
    skipped = result.skipped_blocks
    if skipped is None or skipped.empty:
        out.append('<p class="note">No block was skipped.</p>')
    else:
        if "block_size" in skipped.columns:
            skipped = skipped.sort_values("block_size", ascending=False, kind="stable")
        out.append(_table(skipped, limit=50))
    return "".join(out)


def _levels_block(weights: pd.DataFrame) -> str:
    """The comparison levels: a bar chart of their weights and a table of m, u, weight."""
    if weights.empty:
        return '<p class="note">The model has no comparison levels.</p>'
    labels = [f"{c}: {lab}" for c, lab in zip(weights["comparison"], weights["label"],
                                               strict=True)]
    chart = _hbar_chart(labels, np.clip(weights["weight"], -40, 40).tolist(),
                        axis="match weight log2(m/u)", title="Match weight per comparison level")
    formats = {"m": lambda v: f"{v:.4g}", "u": lambda v: f"{v:.3g}",
               "bayes_factor": lambda v: f"{v:,.0f}" if v >= 100 else f"{v:.3g}",
               "weight": lambda v: f"{v:+.2f}"}
    table = _table(weights, {"comparison": "comparison", "label": "level", "m": "m", "u": "u",
                             "bayes_factor": "Bayes factor", "weight": "weight"},
                   formats=formats, limit=500)
    return chart + table + '<p class="note">The null level (a value missing) has weight 0.</p>'


def _training_table(model: MatchModel) -> str:
    runs = pd.DataFrame([dataclasses.asdict(r) if dataclasses.is_dataclass(r) else vars(r)
                         for r in getattr(model, "training", [])])
    if runs.empty:
        return '<p class="note">No EM training run (the model was given or not trained).</p>'
    return _table(runs, {"rule": "rule", "pairs": "pairs", "patterns": "patterns",
                         "fixed": "fixed comparisons", "iterations": "iterations",
                         "converged": "converged", "prior_in_blocks": "prior in blocks"},
                  formats={"prior_in_blocks": _prob})


def _model_section(result: Result) -> str:
    model = result.model
    weights = model.weights()
    trained = [k for k, v in getattr(model, "trained", {}).items() if v]
    prior = float(model.prior)
    facts = [("prior (match probability of a random pair)", prior),
             ("prior weight", round(_weight_of(prior), 3)),
             ("trained", ", ".join(trained) if trained else "not trained")]
    return (_kv_table(facts) + "<h3>Comparison levels</h3>"
            + _levels_block(weights[weights["level"] >= 0].reset_index(drop=True))
            + "<h3>EM training runs</h3>" + _training_table(model))


def _legend(items: Sequence[tuple[str, str]], tail: str = "") -> str:
    spans = "".join(f'<span><i class="swatch" style="background:{colour}"></i>{_esc(label)}'
                    "</span>" for label, colour in items)
    return f'<p class="note legend">{spans}{_esc(tail)}</p>'


def _needs_log(counts: np.ndarray) -> bool:
    """A log scale when the tallest bar would flatten the typical one."""
    filled = counts[counts > 0]
    return bool(len(filled) and filled.max() > 30 * max(float(np.median(filled)), 1.0))


def _weight_bins(weights: np.ndarray, marks: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of finite ``weights`` in at most about 60 bins of a power-of-two width,
    covering the marks (thresholds) too. Returns ``(counts, edges)``."""
    reach = [w for w in marks if math.isfinite(w)]
    lo = max(min([math.floor(weights.min()), *(math.floor(w) - 1 for w in reach)]), -128)
    hi = min(max([math.ceil(weights.max()), *(math.ceil(w) + 1 for w in reach)]), 128)
    width = max(1.0, 2.0 ** math.ceil(math.log2(max((hi - lo) / 60, 1e-9))))
    lo, hi = math.floor(lo / width) * width, math.ceil(hi / width) * width
    hi = max(hi, lo + width)
    return np.histogram(np.clip(weights, lo, hi), bins=round((hi - lo) / width), range=(lo, hi))


def _weights_section(result: Result) -> str:
    weights = result.pairs["match_weight"].to_numpy(dtype=float, na_value=np.nan)
    finite = weights[np.isfinite(weights)]
    if len(finite) == 0:
        return '<p class="note">No scored pairs.</p>'
    settings = result.settings
    threshold, review = _weight_of(settings.threshold), _weight_of(settings.review_threshold)
    counts, edges = _weight_bins(finite, (threshold, review))
    middle = (edges[:-1] + edges[1:]) / 2
    colours = np.where(middle >= threshold, _POS, np.where(middle >= review, _LINE, _BAR))
    chart = _histogram_chart(
        edges, counts, colours.tolist(), log=_needs_log(counts),
        markers=[(threshold, f"match threshold p = {settings.threshold:g}", "#1f2328", "start"),
                 (review, f"review from p = {settings.review_threshold:g}", _LINE, "end")],
        xlabel="match weight log2(odds)", title="Match weights of all scored pairs")
    missing = len(weights) - len(finite)
    tail = (f"{len(weights):,} pairs, bins {edges[1] - edges[0]:g} wide"
            + (f"; {missing:,} pairs without a finite weight not drawn" if missing else "") + ".")
    return chart + _legend([("linked", _POS), ("review range", _LINE), ("not linked", _BAR)],
                           tail)


def _clusters_section(result: Result) -> str:
    sizes = _cluster_sizes(result).astype(int)
    if sizes.empty:
        return '<p class="note">No clusters.</p>'
    counts = sizes.value_counts().sort_index()
    if len(counts) > 20:  # sizes 1..10 each, then power-of-two buckets 11-16, 17-32, ...
        bucket = np.where(counts.index <= 10, counts.index,
                          2 ** np.ceil(np.log2(counts.index.to_numpy())).astype(int))
        counts = counts.groupby(bucket).sum()
        labels = [str(b) if b <= 10 else f"{max(11, b // 2 + 1)}–{b}" for b in counts.index]
    else:
        labels = [str(s) for s in counts.index]
    log = _needs_log(counts.to_numpy())
    chart = _column_chart(labels, counts.astype(int).tolist(), xlabel="records per cluster",
                          ylabel="clusters (log scale)" if log else "clusters", log=log,
                          title="Clusters per size")
    table = result.cluster_table
    largest = ""
    if "size" in table.columns and len(table):
        top = table.sort_values("size", ascending=False, kind="stable").head(10)
        largest = "<h3>Largest clusters</h3>" + _table(
            top, {"cluster_id": "cluster", "size": "records", "n_links": "links",
                  "min_probability": "lowest link p", "mean_probability": "mean link p",
                  "household_id": "household", "guard_split": "guard split"},
            formats={"min_probability": _prob, "mean_probability": _prob})
    return chart + largest


def _evidence(pair: Mapping[str, Any] | None, labels: Mapping[tuple[str, int], tuple[str, float]]
              ) -> str:
    """The comparison levels of one scored pair, coloured by the sign of their weight."""
    if pair is None:
        return _NA
    spans = []
    for column, level in pair.items():
        if not column.startswith("level_") or _missing(level):
            continue
        name = column[len("level_"):]
        label, weight = labels.get((name, int(level)), ("null", 0.0))
        cls = "nul" if weight == 0 else ("pos" if weight > 0 else "neg")
        spans.append(f'<span class="{cls}">{_esc(name)}: {_esc(label)}</span>')
    return '<span class="ev">' + " · ".join(spans) + "</span>"


def _scored_pairs(result: Result, left: Sequence[str], right: Sequence[str]
                  ) -> dict[frozenset[str], dict[str, Any]]:
    """The scored rows of these record-id pairs, found without scanning ids of every pair."""
    pairs, ids = result.pairs, result.records["record_id"].astype(str)
    wanted = {*map(str, left), *map(str, right)}
    if pairs.empty or not wanted or not {"left", "right"} <= set(pairs.columns):
        return {}
    hit = ids.isin(wanted).to_numpy()
    lpos, rpos = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    rows = pairs[hit[lpos] & hit[rpos]]
    keep = [c for c in rows.columns if c.startswith("level_")] + ["match_weight"]
    id_of = ids.to_numpy()
    return {frozenset((id_of[a], id_of[b])): rec for a, b, rec in zip(
        rows["left"], rows["right"], rows[keep].to_dict("records"), strict=True)}


def _pair_card(number: int, review: Mapping[str, Any], left: Mapping[str, str],
               right: Mapping[str, str], evidence: str) -> str:
    rows = []
    fields = {**_RECORD_FIELDS, "cluster": "cluster"}
    left = {**left, "cluster": review.get("left_cluster")}
    right = {**right, "cluster": review.get("right_cluster")}
    for key, label in fields.items():
        a, b = left.get(key), right.get(key)
        differs = key not in ("record_id", "cluster") and (a or "") != (b or "")
        rows.append(f'<tr{" class=diff" if differs else ""}><th>{_esc(label)}</th>'
                    f"<td>{_cell(a or None)}</td><td>{_cell(b or None)}</td></tr>")
    rows.append(f'<tr><th>evidence</th><td colspan="2">{evidence}</td></tr>')
    p = review.get("match_probability")
    return (f'<div class="pair"><h3>{number}. p = {_cell(p, _prob)}, weight '
            f"{_cell(_weight_of(p) if not _missing(p) else None, lambda v: f'{v:+.2f}')}"
            f'</h3><table>{"".join(rows)}</table></div>')


def _review_pairs(result: Result, max_review: int) -> str:
    review = result.review
    if review.empty:
        return '<p class="note">No doubtful pairs between clusters.</p>'
    uncertainty = (review["match_probability"].astype(float) - 0.5).abs()
    shown = review.assign(_u=uncertainty.to_numpy()).sort_values(
        "_u", kind="stable").head(max(max_review, 0))
    found = _records_by_id(result.records, [*shown["left_id"], *shown["right_id"]])
    scored = _scored_pairs(result, shown["left_id"].tolist(), shown["right_id"].tolist())
    weights = result.model.weights()
    labels = {(c, int(lv)): (lab, float(w)) for c, lv, lab, w in zip(
        weights["comparison"], weights["level"], weights["label"], weights["weight"],
        strict=True)}
    cards = []
    for i, row in enumerate(shown.to_dict("records"), start=1):
        a, b = str(row["left_id"]), str(row["right_id"])
        cards.append(_pair_card(i, row, found.get(a, {"record_id": a}),
                                found.get(b, {"record_id": b}),
                                _evidence(scored.get(frozenset((a, b))), labels)))
    note = (f'<p class="note">{len(review):,} pairs in different clusters with a probability '
            f"between the review and the match threshold; the {len(shown):,} most uncertain "
            "(closest to p = 0.5) are shown. Differing fields are shaded; "
            "<code>result.explain(a, b)</code> gives the full weights.</p>")
    return note + f'<div class="pairs">{"".join(cards)}</div>'


def _split_members(result: Result, splits: pd.DataFrame) -> pd.DataFrame:
    """``component, cluster_id, record_id`` of the clusters these guard splits made."""
    owner = {str(c): comp for comp, ids in zip(splits["component"], splits["cluster_ids"],
                                               strict=True) for c in ids}
    clusters = result.clusters
    members = clusters.loc[clusters["cluster_id"].astype(str).isin(owner),
                           ["cluster_id", "record_id"]]
    order = {c: i for i, c in enumerate(owner)}
    members = members.assign(component=members["cluster_id"].astype(str).map(owner),
                             _o=members["cluster_id"].astype(str).map(order))
    return members.sort_values(["_o", "record_id"], kind="stable")[
        ["component", "cluster_id", "record_id"]]


def _guard_splits(result: Result) -> str:
    splits = result.splits
    if splits.empty:
        return '<p class="note">The chaining guard split no cluster.</p>'
    columns = {"component": "component", "size_before": "size before",
               "sizes_after": "sizes after", "blocked_left_id": "refused link",
               "blocked_right_id": "", "blocked_probability": "p",
               "conflict_left_id": "conflict", "conflict_right_id": "",
               "conflict_probability": "p ", "conflict_reason": "reason"}
    out = [_table(splits, columns, formats={"blocked_probability": _prob,
                                            "conflict_probability": _prob})]
    if {"component", "cluster_ids"} <= set(splits.columns):
        shown = splits.head(MAX_SPLITS)
        members = _with_records(_split_members(result, shown), result.records)
        out.append(f"<h3>Records of the first {len(shown)} split components</h3>")
        out.append(_table(members, {"cluster_id": "cluster", **_RECORD_FIELDS}, limit=300,
                          group="component",
                          heading=lambda r: f"component {r['component']}, now split in:"))
    return "".join(out)


def _review_section(result: Result, max_review: int) -> str:
    return ("<h3>Pairs to review</h3>" + _review_pairs(result, max_review)
            + "<h3>Clusters split by the chaining guard</h3>" + _guard_splits(result))


def _merge_heading(row: Mapping[str, Any]) -> str:
    return (f"{row['rank']}. cluster {row['cluster_id']}: {row['false_pairs']:,} false pairs, "
            f"{row['n_entities']} people")


def _split_heading(row: Mapping[str, Any]) -> str:
    return (f"{row['rank']}. entity {row['entity_id']}: {row['missed_pairs']:,} missed pairs, "
            f"spread over {row['n_clusters']} clusters")


def _error_section(table: pd.DataFrame, records: pd.DataFrame, kind: str) -> str:
    """The worst false merges or splits (``kind``), record by record, one group each."""
    if table.empty:
        return f'<p class="note">No false {kind}s.</p>'
    shown = _with_records(table, records)
    if kind == "merge":
        return _table(shown, {"entity_id": "true entity", **_RECORD_FIELDS}, limit=300,
                      group="rank", heading=_merge_heading)
    return _table(shown, {"cluster_id": "cluster", **_RECORD_FIELDS}, limit=300,
                  group="rank", heading=_split_heading)


def _truth_section(result: Result, truth: pd.DataFrame | pd.Series | None) -> str:
    if truth is None:
        return ('<p class="note">No truth given: pass <code>truth=</code> (record_id, '
                "entity_id) to see precision, recall and the worst errors.</p>")
    m = result.metrics(truth)
    rows = [("pairwise", m["precision"], m["recall"], m["f1"]),
            ("B-cubed", m["bcubed_precision"], m["bcubed_recall"], m["bcubed_f1"])]
    body = "".join(f'<tr><th>{k}</th><td class="num">{p:.4f}</td><td class="num">{r:.4f}</td>'
                   f'<td class="num">{f:.4f}</td></tr>' for k, p, r, f in rows)
    scores = ('<table><thead><tr><th></th><th class="num">precision</th><th class="num">recall'
              f'</th><th class="num">F1</th></tr></thead>{body}</table>')
    facts = [("pair completeness (blocking recall)", round(float(m["pair_completeness"]), 4)),
             ("candidate pairs", m["candidate_pairs"]), ("true pairs", m.get("true_pairs")),
             ("linked pairs (in one cluster)", m.get("predicted_pairs")),
             ("true positives", m.get("true_positives")),
             ("false positives", m.get("false_positives")),
             ("false negatives", m.get("false_negatives")),
             ("true entities", m.get("n_entities")), ("clusters", m.get("n_clusters"))]
    clusters = result.clusters[["record_id", "cluster_id"]]
    merges = false_merges(clusters, truth, top=MAX_ERRORS)
    splits = false_splits(clusters, truth, top=MAX_ERRORS)
    return (scores + _kv_table(facts)
            + f"<h3>Worst {MAX_ERRORS} false merges (clusters holding several people)</h3>"
            + _error_section(merges, result.records, "merge")
            + f"<h3>Worst {MAX_ERRORS} false splits (people spread over several clusters)</h3>"
            + _error_section(splits, result.records, "split"))


# ---------------------------------------------------------------------- document
def _page(title: str, subtitle: str, sections: Mapping[str, str]) -> str:
    toc = "".join(f'<li><a href="#{key}">{_esc(_SECTIONS[key])}</a></li>' for key in sections)
    body = "".join(f'<section id="{key}"><h2>{i}. {_esc(_SECTIONS[key])}</h2>{content}'
                   "</section>" for i, (key, content) in enumerate(sections.items(), start=1))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{_esc(title)}</h1><p>{_esc(subtitle)}</p></header>"
            f'<nav class="toc"><h2>Contents</h2><ol>{toc}</ol></nav>{body}'
            f"<footer>{_esc(subtitle)}</footer></body></html>\n")


def render_report(result: Result, *, truth: pd.DataFrame | pd.Series | None = None,
                  title: str = "custmatch run report", max_review: int = 50) -> str:
    """The run as one self-contained HTML page (inline CSS and SVG, no scripts or links).

    Args:
        result: a :class:`~custmatch.pipeline.Result` from ``deduplicate`` or ``link``.
        truth: optional ``DataFrame[record_id, entity_id]`` (or a Series of entity ids
            indexed by record id) for the accuracy section.
        title: the page title.
        max_review: most review pairs shown with their records (most uncertain first).

    Returns:
        The HTML document as a string.

    Example:
        >>> import pandas as pd
        >>> from custmatch.pipeline import deduplicate
        >>> one = pd.DataFrame({"first_name": ["Jan"], "surname": ["<b>Berg</b>"]})
        >>> page = render_report(deduplicate(one, progress=False), title="één record")
        >>> "<b>Berg" in page, "<title>één record</title>" in page
        (False, True)
    """
    import custmatch

    version = str(getattr(custmatch, "__version__", "unknown"))
    created = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
    subtitle = (f"{len(result.records):,} records → {len(result.golden):,} golden records · "
                f"custmatch {version} · {created}")
    sections = {
        "summary": _summary_section(result, version, created),
        "quality": _quality_section(result),
        "blocking": _blocking_section(result),
        "model": _model_section(result),
        "weights": _weights_section(result),
        "clusters": _clusters_section(result),
        "review": _review_section(result, max_review),
        "truth": _truth_section(result, truth),
    }
    return _page(title, subtitle, sections)


def write_report(result: Result, path: str | pathlib.Path, *,
                 truth: pd.DataFrame | pd.Series | None = None, **kw: Any) -> pathlib.Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path.

    Example:
        >>> import pandas as pd, tempfile
        >>> from custmatch.pipeline import deduplicate
        >>> result = deduplicate(pd.DataFrame({"surname": ["Berg", "Vries"]}), progress=False)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     out = write_report(result, pathlib.Path(tmp) / "report.html")
        ...     out.read_text(encoding="utf-8").count("<section")
        8
    """
    target = pathlib.Path(path)
    target.write_text(render_report(result, truth=truth, **kw), encoding="utf-8")
    return target
