"""The report's charts, each drawn as an SVG string to inline in the page.

Why matplotlib: the page has to open with no network and no script, so the charts must be static
SVG made in Python. matplotlib writes that directly, with text as glyph outlines (no font files
to ship or fetch), real date axes (ticks that adapt from days to years) and byte-for-byte
repeatable output once its hash salt is fixed and the date metadata dropped. Altair, which Great
Expectations already installs, only makes static SVG through vl-convert (a bundled JavaScript
engine) or Vega scripts from a CDN; hand-drawn SVG would mean writing date-tick logic ourselves.
matplotlib takes most of a second to import, so it is imported when a chart is drawn, and only
the object API is used (no pyplot): no global figure state, no GUI backend chosen.

Functions return None when there is nothing to draw; the page then says why instead of showing
an empty axis. Every drawn series carries an SVG id (`<prefix>-series-N`, `<prefix>-points-...`,
`<prefix>-range-...`) so a browser test can count what was drawn.
"""
from __future__ import annotations

import io
import re

import pandas as pd

from schemas import codes

TOLL_PREFIX = "toll"
EVENTS_PREFIX = "events"
REFERENCE_POPULATION = "gaza_palestinians"  # the population the ministry's daily series counts
REFERENCE_LABEL = "Gaza MoH daily series (reference)"
NO_POPULATION = "(no population)"

# Fixed colours per code (by its place in the vocabulary), so a source or event type keeps its
# colour from one run's report to the next.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39")
UNKNOWN_COLOUR = "#444444"
# Markers as well as colours, for readers who cannot tell the colours apart.
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "<", ">", "h")

RC = {
    "svg.hashsalt": "gazetl-run-report",  # ids from a fixed salt: same data, same bytes
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",  # ships with matplotlib
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e3e3e3",
}
NO_METADATA = {key: None for key in ("Creator", "Date", "Format", "Type")}

_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_HREF_REF = re.compile(r'href="#([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")


def _ordered(values, vocabulary: tuple[str, ...]) -> list[str]:
    """Codes in vocabulary order, then any value outside it (sorted), so a stray code still shows."""
    present = set(values)
    return [v for v in vocabulary if v in present] + sorted(present - set(vocabulary))


def _colour(code: str, vocabulary: tuple[str, ...]) -> str:
    return PALETTE[vocabulary.index(code) % len(PALETTE)] if code in vocabulary else UNKNOWN_COLOUR


def _marker(code: str, vocabulary: tuple[str, ...]) -> str:
    return MARKERS[vocabulary.index(code) % len(MARKERS)] if code in vocabulary else "x"


def _label(text: str) -> str:
    # A '$' would start matplotlib's math mode; a leading '_' hides a legend entry.
    return str(text).replace("$", r"\$").lstrip("_") or "?"


def _days(values: pd.Series):
    from matplotlib import dates as mdates

    return mdates.date2num(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"))


def _span(days) -> tuple[float, float]:
    """The x range: the data with a margin, at least a week either side of a single day."""
    low, high = float(min(days)), float(max(days))
    pad = max((high - low) * 0.04, 7.0)
    return low - pad, high + pad


def _date_axis(ax) -> None:
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _to_svg(figure, prefix: str) -> str:
    """The figure as an <svg> element for inlining: no XML prologue, metadata or comments (the
    comments repeat label text), and every id prefixed so two charts on one page cannot pick up
    each other's clip paths, markers or glyphs."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = _PROLOGUE.sub("", buffer.getvalue(), count=1)
    svg = _COMMENT.sub("", _METADATA.sub("", svg))
    svg = _XMLNS.sub("", svg)  # the HTML parser puts inline <svg> in the SVG namespace itself
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _HREF_REF.sub(lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return svg.strip()


def death_toll_points(series: pd.DataFrame) -> pd.DataFrame:
    """The death_toll_series rows the chart draws, in drawing order: one panel per population
    (the ministry's population first), one line per source_norm within it, by as_of."""
    if series is None or series.empty:
        return pd.DataFrame(columns=["source_norm", "population", "as_of", "value"])
    data = series.assign(
        population=series["population"].where(series["population"].notna(), NO_POPULATION).astype(str),
        source_norm=series["source_norm"].astype(str),
        as_of=pd.to_datetime(series["as_of"]),
        value=pd.to_numeric(series["value"]),
    )
    populations = _ordered(data["population"], (REFERENCE_POPULATION, *codes.POPULATIONS))
    sources = _ordered(data["source_norm"], codes.SOURCE_NORMS)
    data = data.assign(population_rank=data["population"].map(populations.index),
                       source_rank=data["source_norm"].map(sources.index))
    data = data.sort_values(["population_rank", "source_rank", "as_of"], kind="stable")
    return data.drop(columns=["population_rank", "source_rank"]).reset_index(drop=True)


def death_toll_svg(series: pd.DataFrame, reference: pd.DataFrame | None = None) -> str | None:
    """Reported cumulative death toll over time: one panel per population, one line per
    source_norm (x = as_of, y = value); the ministry's daily series behind the panel of the
    population it counts, over the claims' date range. None when there are no claims."""
    data = death_toll_points(series)
    if data.empty:
        return None
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    populations = list(dict.fromkeys(data["population"]))
    low, high = _span(_days(data["as_of"]))
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(9, 0.8 + 2.5 * len(populations)), layout="constrained")
        axes = figure.subplots(len(populations), 1, sharex=True, squeeze=False)[:, 0]
        drawn = 0
        for ax, population in zip(axes, populations):
            if population == REFERENCE_POPULATION and reference is not None and not reference.empty:
                ref = reference.dropna(subset=["date", "value"])
                days = _days(ref["date"])
                inside = (days >= low) & (days <= high)
                if inside.any():
                    ax.plot(days[inside], pd.to_numeric(ref["value"]).to_numpy()[inside], color="#222222",
                            linewidth=2.5, alpha=0.35, label=REFERENCE_LABEL, gid="reference", zorder=1)
            panel = data[data["population"] == population]
            for source in dict.fromkeys(panel["source_norm"]):
                rows = panel[panel["source_norm"] == source]
                ax.plot(_days(rows["as_of"]), rows["value"].to_numpy(), color=_colour(source, codes.SOURCE_NORMS),
                        marker=_marker(source, codes.SOURCE_NORMS), markersize=5, linewidth=1.4,
                        label=_label(source), gid=f"series-{drawn}", zorder=2)
                drawn += 1
            ax.set_title(_label(population), loc="left", fontsize=9, fontweight="bold")
            ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
            ax.set_ylabel("killed (cumulative)")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        axes[-1].set_xlim(low, high)
        axes[-1].set_xlabel("as of")
        _date_axis(axes[-1])
        return _to_svg(figure, TOLL_PREFIX)


def events_points(events: pd.DataFrame) -> pd.DataFrame:
    """The dated events the timeline draws, with `row` (the event type's line, top first) and
    `kind`: 'range' for a window of several days (drawn as a bar), else 'point'."""
    columns = ["event_type", "event_date", "event_date_end", "tense", "row", "kind"]
    if events is None or events.empty:
        return pd.DataFrame(columns=columns)
    dated = events[events["event_date"].notna()]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    start = pd.to_datetime(dated["event_date"])
    end = pd.to_datetime(dated["event_date_end"])
    types = _ordered(dated["event_type"].astype(str), codes.EVENT_TYPES)
    data = dated.assign(event_type=dated["event_type"].astype(str), event_date=start, event_date_end=end,
                        tense=dated["tense"].where(dated["tense"] == "future", "past"))
    data = data.assign(row=data["event_type"].map(types.index),
                       kind=(end.notna() & (end > start)).map({True: "range", False: "point"}))
    return data.sort_values(["row", "event_date", "tense"], kind="stable")[columns].reset_index(drop=True)


def events_svg(events: pd.DataFrame) -> str | None:
    """Events timeline: one line per event_type; a reported (past) event is a filled dot, a
    planned one a hollow dot; a date window of several days is a bar from its first to its last
    day (hatched when planned). None when no event has a date."""
    data = events_points(events)
    if data.empty:
        return None
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    types = list(dict.fromkeys(data["event_type"]))
    starts = _days(data["event_date"])
    ends = _days(data["event_date_end"].where(data["kind"] == "range", data["event_date"])) + 1.0
    data = data.assign(x=starts, x_end=ends)
    low, high = _span(list(starts) + list(ends))
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(9, 1.4 + 0.34 * len(types)), layout="constrained")
        ax = figure.add_subplot()
        for row, event_type in enumerate(types):
            colour = _colour(event_type, codes.EVENT_TYPES)
            of_type = data[data["event_type"] == event_type]
            for tense in ("past", "future"):
                planned = tense == "future"
                points = of_type[(of_type["kind"] == "point") & (of_type["tense"] == tense)]
                if len(points):
                    ax.plot(points["x"].to_numpy(), [row] * len(points), linestyle="none", marker="o",
                            markersize=6, markeredgewidth=1.3, color=colour,
                            markerfacecolor="white" if planned else colour,
                            gid=f"points-{row}-{tense}", zorder=3)
                ranges = of_type[(of_type["kind"] == "range") & (of_type["tense"] == tense)]
                for number, window in enumerate(ranges.itertuples(index=False)):
                    bars = ax.barh(row, window.x_end - window.x, left=window.x, height=0.5,
                                   color="none" if planned else colour, edgecolor=colour,
                                   hatch="////" if planned else None, alpha=0.75, zorder=2)
                    bars.patches[0].set_gid(f"range-{row}-{tense}-{number}")
        ax.set_yticks(range(len(types)), labels=[_label(t) for t in types])
        ax.set_ylim(len(types) - 0.5, -0.5)  # first type on top
        ax.grid(axis="x", color="#eeeeee")
        ax.set_xlim(low, high)
        _date_axis(ax)
        ax.legend(handles=[
            Line2D([], [], linestyle="none", marker="o", color="#555555", label="reported (past)"),
            Line2D([], [], linestyle="none", marker="o", color="#555555", markerfacecolor="white",
                   label="planned / expected"),
            Patch(facecolor="#999999", edgecolor="#555555", label="date window (reported)"),
            Patch(facecolor="none", edgecolor="#555555", hatch="////", label="date window (planned)"),
        ], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        return _to_svg(figure, EVENTS_PREFIX)
