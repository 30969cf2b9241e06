"""`build_figure`: a `Case` and view options in, one Plotly figure of stacked panels out."""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from dashboard.figure.events import event_panel, period_strip
from dashboard.figure.key import SCALE as KEY_SCALE
from dashboard.figure.key import Key
from dashboard.figure.lanes import treatment_panel
from dashboard.figure.panels import measurement_panels
from dashboard.figure.parts import OVERLAY, SELF, Panel, Shape, esc
from dashboard.figure.placement import (
    fit,
    label_ticks,
    left_margin,
    place,
    right_margin,
    spaced_names,
)
from dashboard.figure.reveal import as_known_on, restore_refs, restored
from dashboard.figure.themes import GREY, NARROW, Theme, get_theme, is_narrow
from dashboard.figure.timeaxis import TimeAxis
from dashboard.fonts import LINE_SPACING, wrap
from dashboard.model import Case
from dashboard.problems import FigureWarning

MARGIN = {"screen": (64, 64), "print": (48, 56), "slides": (110, 90)}  # top, bottom
NARROW_TOP = 20
COMPACT_BOTTOM = 0.7  # the bottom margin (time axis) of a figure made compact, as a share
TIGHT_BOTTOM = 0.62  # the same with the time axis' title at the smallest type
LEGEND_LINE = 1.9  # height of a legend entry, in body font sizes
LEGEND_GRID_LINE = 2.05  # the same in a legend of several columns below the plot
LEGEND_SHARE = 0.25  # the most of a column figure's height its legend may take
LEGEND_SYMBOL_PX = 40  # the sample line or mark in front of a legend entry's text, and gaps
# How a figure of fixed size makes room, step by step, before anything is squeezed:
# 0: as designed; 1: rows as thin as their labels, the legend by kind only;
# 2: every event kind but relapses on one "Events" row; 3: axis titles at the smallest
# type (shorter rotated titles let line panels be thinner) and narrower gaps between panels.
STEPS = (0, 1, 2, 3)
TITLE_GAP = 0.35  # above a title of several lines, in its font sizes
SHRINKS = 5  # tries at scaling type and rows down together, when no step makes room


@dataclass(frozen=True, slots=True)
class FigureOptions:
    """Every option that changes the figure: one frozen, hashable object for the app, the
    pages, images, decks and the figure cache."""

    axis: str | None = None
    theme: str = "screen"
    hide: frozenset[str] = frozenset()
    reveal: float | None = None
    window: tuple[float, float] | None = None
    width: int | None = None
    height: float | None = None
    max_height: int | None = None  # without a height: grow to fit, but no taller than this,
    ceiling: int | None = None  # unless no step makes room: then no taller than this
    # fill the page's width and grow to fit, whatever the theme's size; with a `width`, the
    # page's width as measured, which the labels are placed for
    fluid: bool = False
    families: tuple[str, ...] = ()  # treatment classes in hue order, shared across a series
    # px the browser needed above and below the plot beyond what was reserved (tick labels,
    # titles, legend), read back from a drawing: the next layout reserves them
    pushed: tuple[float, float] = (0.0, 0.0)
    plot_width: float | None = None  # px, as drawn; else measured beside the panels' labels
    # refs of labels to write in the key even where they fit beside their marks: "events[3]",
    # "periods[0]", "treatments[2]" (a dose), "treatments[2].doses[1]" (a step of a taper)
    keyed: frozenset[str] = frozenset()

    @classmethod
    def of(cls, **options: Any) -> FigureOptions:
        """Options from keyword arguments, any iterable `hide` and pair `window` accepted."""
        for name in ("hide", "keyed"):
            if options.get(name) is not None:
                options[name] = frozenset(options[name])
        if options.get("window") is not None:
            low, high = options["window"]
            options["window"] = (float(low), float(high))
        if options.get("pushed") is not None:
            top, bottom = options["pushed"]
            options["pushed"] = (float(top), float(bottom))
        return cls(**{key: value for key, value in options.items() if value is not None})


@dataclass(frozen=True, slots=True)
class _Setting:
    """Stage 1, the options resolved against the case: look, time axis, what is revealed."""

    case: Case  # as known on the reveal day
    whole: Case  # the whole case, whose rows and panels keep their places when revealed
    options: FigureOptions
    look: Theme
    t: TimeAxis
    kept: dict[str, list[int]] | None
    width: int | None
    limit: float | None  # the height the figure must fit: exact, or at most

    @property
    def narrow(self) -> bool:
        return is_narrow(self.width)


@dataclass
class _Frame:
    """Stage 3, the placement: panels with their heights, margins and the figure height."""

    panels: list[Panel]
    heights: list[float]
    look: Theme
    top: float
    bottom: float
    height: float
    legend_columns: int
    least: float  # the height with every line panel at its thinnest
    key: Key  # the labels beside their marks, and those in the key under the figure
    key_room: float  # how wide the key's lines may be, in px
    key_px: float  # how tall the key is, at the bottom of the figure
    key_beside: float | None = None  # px below the plot's top: the key beside it, under the legend
    # what a reader should be told about this layout (a size too low for the course), said
    # once by whoever draws the figure last
    said: list[str] = dataclasses.field(default_factory=list)
    # drawn smaller to fit: its type as a share of the size's own, and the height that would
    # hold it at that type
    type_scale: float = 1.0
    need_px: int | None = None


def build_figure(
    case: Case, options: FigureOptions | None = None, *, warn: bool = True, **view: Any
) -> go.Figure:
    """The clinical-course figure of `case`: treatments, events and measurements on one axis
    (`warn`: see `figure_spec`)."""
    spec = figure_spec(case, options, warn=warn, **view)
    # The traces and layout are built from the model and checked by the tests with plotly's
    # validators (tests/test_figure.py); skipping them here makes a build ten times faster.
    return go.Figure(spec, _validate=False)


def figure_spec(
    case: Case, options: FigureOptions | None = None, *, warn: bool = True, **view: Any
) -> dict[str, Any]:
    """The same figure as a plain, JSON-ready dict: what a browser needs, built fastest.

    Four stages: the options resolved against the case, the panels built, placed (making
    room step by step when the size is fixed), and the layout finished around them.
    What a reader should be told (a size too low for the course) is said as a
    `FigureWarning`; with `warn` False it is left in `meta["warnings"]` instead, for a
    caller that lays the figure out again and should say only what its last layout meant.
    """
    setting = _resolve(case, options or FigureOptions.of(**view))
    setting, frame = _arrange(setting)
    spec = _finish(setting, frame)
    if not warn:
        spec["layout"]["meta"]["warnings"] = frame.said
        return spec
    for message in frame.said:
        warnings.warn(message, FigureWarning, 3)
    return spec


def _resolve(case: Case, options: FigureOptions) -> _Setting:
    """Stage 1: the look, the time axis and the case as known on the reveal day."""
    look = get_theme(options.theme)
    # In a page (the dashboard's card) the slides look keeps its type but not its 1920x1080.
    width = options.width or (None if options.fluid else look.width)
    height = options.height or (None if options.fluid else look.height)
    plot_width = options.plot_width or (width or 1200) * 0.7
    t = TimeAxis.build(case, options.axis, options.reveal, options.window, plot_width)
    kept = None
    whole = case
    if options.reveal is not None:
        case, kept = as_known_on(case, options.reveal)
    limit = height or options.max_height
    return _Setting(case, whole, options, look, t, kept, width, limit)


@dataclass(frozen=True, slots=True)
class _Built:
    """Stage 2's panels with their key, and those of the whole case (the same unless
    revealed), by whose labels a revealed figure is measured, so that nothing moves."""

    panels: list[Panel]
    key: Key
    whole: list[Panel]
    whole_key: Key


def _panels(setting: _Setting, look: Theme, step: int) -> _Built:
    """Stage 2: the panels top to bottom, built in `look` at degradation `step`.

    A revealed figure keeps every row and panel of the whole case in its place (so nothing
    jumps from step to step), but those of what comes later are left blank and nameless;
    with the panels come their key and the whole case's, whose room a revealed figure keeps.
    """
    hidden = setting.options.hide
    revealed = setting.whole is not setting.case
    key = Key(setting.options.keyed)
    built = _built(setting.case, setting, look, step, setting.whole if revealed else None, key)
    if not revealed:
        shown = [p for p in built.values() if p.name not in hidden]
        return _Built(shown, key, shown, key)
    whole = Key(setting.options.keyed)
    # the whole case as if all were revealed: its rows, lanes and key keep their room
    unrevealed = dataclasses.replace(setting, t=dataclasses.replace(setting.t, reveal=None))
    places = _built(setting.whole, unrevealed, look, step, None, whole)
    panels = []
    for name, kept in places.items():
        if name in hidden:
            continue
        panel = built.get(name)
        if panel is None:  # not yet begun: room kept, nothing shown, not even its name
            panel = Panel("", kept.px, {"visible": False, "range": [0, 1], "fixedrange": True})
        panel.px, panel.least, panel.grow = kept.px, kept.least, kept.grow
        panels.append(panel)
    return _Built(panels, key, list(places.values()), whole)


def _built(
    case: Case, setting: _Setting, look: Theme, step: int, places: Case | None, key: Key
) -> dict[str, Panel]:
    t = setting.t
    candidates = [
        period_strip(case, t, look, key) if "periods" not in setting.options.hide else None,
        event_panel(
            case,
            t,
            look,
            by_kind=step >= 1 or setting.narrow,
            merged=step >= 2,
            places=places,
            key=key,
        ),
        treatment_panel(case, t, look, places, setting.options.families, key),
        *measurement_panels(case, t, look),
    ]
    return {p.name: p for p in candidates if p is not None}


def _compact(look: Theme) -> Theme:
    """The look with rows as thin as their labels allow."""
    look = dataclasses.replace(look, row_label=0.85)
    row = max(look.label_row_px, look.marker * 1.1)
    return dataclasses.replace(
        look,
        row_px=min(look.row_px, row),
        level_px=min(look.level_px, row),
        # half a tick label: a label at a panel's edge must not reach into the next panel
        gap_px=min(look.gap_px, look.text_px(0.85) * 0.6),
    )


def _tight(look: Theme) -> Theme:
    """The compact look with axis titles at the smallest type and panels closer together."""
    return dataclasses.replace(
        look,
        axis_title=0.85,
        x_title=0.85,
        # tick labels are kept off the panels' edges (fewer of them): a gap of a few pixels
        gap_px=min(look.gap_px, look.text_px(0.85) * 0.4),
    )


def _measured(setting: _Setting, look: Theme, panels: list[Panel]) -> _Setting:
    """The setting with its time axis as wide as the plot beside these panels' labels, so
    that every label placed along it is placed by the room there really is."""
    if setting.width is None or setting.options.plot_width is not None:
        return setting  # as wide as the page (the estimate stands), or as drawn
    room = _plot_room(setting, look, panels)
    if abs(room - setting.t.plot_px) <= 0.02 * setting.t.plot_px:
        return setting
    return dataclasses.replace(setting, t=dataclasses.replace(setting.t, plot_px=room))


def _laid_out(setting: _Setting, look: Theme, step: int) -> tuple[_Setting, _Frame]:
    """The panels built in `look` at `step` and placed, the time axis as wide as the plot
    they leave (built again when that width changed the labels' room)."""
    built = _panels(setting, look, step)
    measured = _measured(setting, look, built.whole)
    if measured is not setting:
        setting = measured
        built = _panels(setting, look, step)
    return setting, _frame(setting, look, built)


def _arrange(setting: _Setting) -> tuple[_Setting, _Frame]:
    """Stage 3: panels and their heights; a fixed size is met by the steps in STEPS first."""
    frame = None
    for step in STEPS if setting.limit is not None else STEPS[:1]:
        look = _compact(setting.look) if step >= 1 else setting.look
        look = _tight(look) if step >= 3 else look
        setting, frame = _laid_out(setting, look, step)
        if setting.limit is None or frame.least <= setting.limit:
            break
    assert frame is not None
    said = frame.said
    ceiling = setting.options.ceiling
    exact = setting.options.height or (setting.look.height and not setting.options.fluid)
    if setting.limit is not None and frame.least > setting.limit:
        need = math.ceil(frame.least)
        if not exact and ceiling is not None and ceiling > setting.limit:
            # A denser course than the size was meant for: taller, rather than overlapping
            # rows, and said, since a journal may not take it.
            taller = min(ceiling, need)
            said.append(
                f"{setting.case.title!r}: the course needs {need} px, more than the "
                f"{setting.limit:g} px this size is meant to be; drawn {taller} px tall"
            )
            setting = dataclasses.replace(setting, limit=taller)
        if frame.least > (setting.limit or frame.least):
            # The size asked for (a slide, a journal's box) is kept: everything is drawn
            # smaller alike, rather than rows left unnamed or labels run into each other.
            setting, frame = _smaller_type(setting, frame, _too_low(setting, frame, need), need)
            frame.said[:0] = said
    if setting.limit is not None:
        frame.height = setting.limit if exact else min(frame.height, setting.limit)
    room = frame.height - frame.top - frame.bottom - frame.look.gap_px * (len(frame.panels) - 1)
    frame.heights = fit(frame.panels, max(room, 1.0))
    return setting, frame


def _smaller_type(setting: _Setting, frame: _Frame, why: str, need: int) -> tuple[_Setting, _Frame]:
    """The most compact layout with type, marks and rows scaled down alike, as large as
    still fits the height it must; the warning gives `why` and what the type came to."""
    limit = setting.limit
    assert limit is not None
    full, scale = setting.look, 1.0
    best: tuple[float, _Setting, _Frame] | None = None
    for _ in range(SHRINKS):
        # margins and labels do not all shrink with the type: aim a little under
        scale *= limit / frame.least * (0.99 if frame.least > limit else 1.0)
        tried, frame = _laid_out(setting, _tight(_compact(_scaled(full, scale))), STEPS[-1])
        if frame.least <= limit and (best is None or scale > best[0]):
            best = (scale, tried, frame)
        if best is not None and best[2].least >= limit * 0.97:
            break
    scale, setting, frame = best or (scale, tried, frame)
    frame.type_scale, frame.need_px = scale, need
    smallest = frame.look.text_px(0.85)
    frame.said.append(
        f"{why}; its smallest type is drawn at {smallest:.1f} px instead of "
        f"{full.text_px(0.85):.1f} px ({scale:.0%}) to fit; a taller size, or fewer rows "
        "or panels, would draw it larger"
    )
    return setting, frame


def _scaled(look: Theme, scale: float) -> Theme:
    """The look with every size (type, marks, lines, rows, panels and gaps) times `scale`."""
    names = ("size", "title_size", "row_px", "level_px", "panel_px", "gap_px", "marker")
    sizes = {name: getattr(look, name) * scale for name in names}
    return dataclasses.replace(
        look, **sizes, line=look.line * max(scale, 0.5), smallest=look.smallest * scale
    )


def _too_low(setting: _Setting, frame: _Frame, need: int) -> str:
    """What cannot fit: the height asked for, what it must hold and the height that would."""
    rows = sum(len(p.axis.get("ticktext") or []) for p in frame.panels)
    panels = sum(1 for p in frame.panels if not p.axis.get("ticktext") and p.name != "periods")
    holds = [f"{rows} row{'s' * (rows != 1)}"] if rows else []
    holds += [f"{panels} panel{'s' * (panels != 1)}"] if panels else []
    return (
        f"{setting.case.title!r}: {setting.limit:g} px is too low for its "
        f"{' and '.join(holds) or 'course'}; {need} px would fit"
    )


def _legend_names(panels: list[Panel]) -> list[str]:
    """The names the legend lists, in the panels' order."""
    return [
        str(trace.get("name", ""))
        for p in panels
        for trace in p.traces
        if trace.get("showlegend", True)
    ]


def _shortened_legend(panels: list[Panel], columns: int, most: float) -> list[str]:
    """The legend's names once it holds at most `most` lines: event kinds whose every mark is
    labelled (beside it or through the key) leave it, the last listed first."""
    names = _legend_names(panels)
    labelled = [
        trace
        for p in panels
        if p.name == "events"
        for trace in p.traces
        if trace.get("showlegend", True) and all(trace.get("text") or [""])
    ]
    while labelled and -(-len(names) // columns) > most:
        trace = labelled.pop()
        trace["showlegend"] = False
        names = _legend_names(panels)
    return names


def _plot_room(setting: _Setting, look: Theme, panels: list[Panel]) -> float:
    """How wide the plot is: the figure's width less the labels on its left, the right-hand
    axes and, in a wide figure, the legend beside it (all measured)."""
    if setting.options.plot_width is not None:
        return setting.options.plot_width  # as a drawing of this figure measured it
    room = (setting.width or 1200) - 20 - left_margin(panels, look)
    names = _legend_names(panels)
    if not setting.narrow and names:
        room -= max(look.measure(name, 0.85) for name in names) + LEGEND_SYMBOL_PX
    room -= max((right_margin(p, look) for p in panels), default=0.0)
    return max(room, look.text_px(KEY_SCALE) * 8)


def _key_room(setting: _Setting, look: Theme, panels: list[Panel]) -> float:
    """How wide the key's lines may be: a column figure's width (the key sits at its left
    edge with the legend), else the plot's."""
    if setting.narrow:
        return (setting.width or NARROW) - 20
    return _plot_room(setting, look, panels)


def _frame(setting: _Setting, look: Theme, built: _Built) -> _Frame:
    """The natural placement of the panels: margins, legend, key, and the height they ask
    for (a revealed figure keeps the room of the whole case's key and legend)."""
    panels, key = built.panels, built.key
    # the margins keep their share of the type (a figure drawn smaller to fit, smaller too)
    top, bottom = (px * look.size / get_theme(look.name).size for px in MARGIN[look.name])
    compact = look.row_px < get_theme(look.name).row_px
    if compact:
        bottom = round(bottom * (TIGHT_BOTTOM if look.x_title < 1 else COMPACT_BOTTOM))
    gaps = look.gap_px * max(len(panels) - 1, 0)
    natural = sum(p.px for p in panels) + gaps
    key_room = _key_room(setting, look, built.whole)
    key_px = math.ceil(built.whole_key.px(key_room, look.text_px(KEY_SCALE)))
    plot = natural if setting.limit is None else min(natural, setting.limit - top - bottom)
    beside = _beside_legend(setting, look, built, plot)
    if beside is not None:  # the key under the legend, beside the plot: no room below
        key_room, key_px = beside[1], 0
    if key_px:
        # the time axis' tick labels and title in full above the key, whatever the step (a
        # column's key, the title, starts a few px under the axis' title: see `Key.title`)
        gap = 4 if setting.narrow else 12
        bottom = max(bottom, look.size * 1.25 + gap + look.text_px(look.x_title) * 1.25)
    bottom += key_px
    # a title wider than the figure is wrapped onto more lines, and the top grows by them
    top += (
        (len(_title_lines(setting, look)) - 1)
        * look.text_px(look.title_size / look.size)
        * (LINE_SPACING)
    )
    columns = 1
    if setting.narrow:
        top = NARROW_TOP  # no title in a column figure: the caption beneath it carries it
        # Room for the legend below the plot, in as many columns as fit, reserved here: were
        # plotly to push the margin itself while drawing, the bars' row colours would slip.
        names = _legend_names(panels)
        if names:
            need = max(look.measure(name, 0.85) for name in names) + LEGEND_SYMBOL_PX
            # plotly lays the legend out across the plot area, not the figure
            plot_px = _plot_room(setting, look, built.whole)
            columns = max(1, min(len(names), int(plot_px // need)))
            line = look.text_px(0.85) * LEGEND_GRID_LINE
            tall = sum(p.px for p in panels) + top + bottom + line * len(names) / columns
            share = LEGEND_SHARE * min(tall, setting.limit or tall)
            # short of room, the marks' own labels (beside them or keyed) name them
            names = _shortened_legend(panels, columns, 0 if compact else share / line)
            lines = -(-len(names) // columns)
            bottom += round(lines * line) + 4 if lines else 0  # (every entry left it)
    top += setting.options.pushed[0]
    bottom += setting.options.pushed[1]
    height = natural + top + bottom if panels else top + bottom + 200
    least = sum(min(p.least or p.px, p.px) for p in panels) + gaps + top + bottom
    return _Frame(
        panels,
        [p.px for p in panels],
        look,
        top,
        bottom,
        height,
        columns,
        least,
        key,
        key_room,
        key_px,
        None if beside is None else beside[0],
    )


def _beside_legend(
    setting: _Setting, look: Theme, built: _Built, plot: float
) -> tuple[float, float] | None:
    """Where a wide figure's key goes beside the plot, under the legend: how far below the
    plot's top, and how wide; None when the two would be taller than the plot."""
    if setting.narrow or not built.whole_key.entries:
        return None
    # as wide as the legend drawn (a revealed figure's lists only what is shown so far)
    names = _legend_names(built.panels)
    width = max((look.measure(name, 0.85) for name in names), default=0.0) + LEGEND_SYMBOL_PX
    # an entry's line, and the gap plotly leaves between legend groups
    legend = len(names) * (look.text_px(0.85) * LEGEND_LINE + 4)
    size = look.text_px(KEY_SCALE)
    below = legend + size
    if below + built.whole_key.px(width, size) > plot:
        return None
    return below, width


def _finish(setting: _Setting, frame: _Frame) -> dict[str, Any]:
    """Stage 4: the panels' axes, traces and shapes placed, and the layout around them."""
    case, t, look = setting.case, setting.t, frame.look
    reveal = setting.options.reveal
    lines = [] if setting.narrow else _title_lines(setting, look)
    title = "<br>".join(f"<b>{esc(line)}</b>" for line in lines)
    layout = _layout(case, t, look, frame, narrow=setting.narrow, title=title)
    if len(lines) > 1:
        # A title of several lines starts at the top, keeping off what is under it; plotly
        # puts the first line's baseline at `y` whatever the anchor, so the line's ascent is
        # added to the gap above it.
        size = look.text_px(look.title_size / look.size)
        baseline = size * (TITLE_GAP + 0.93)
        layout["title"] |= {"yref": "container", "y": round(1 - baseline / frame.height, 4)}
    data: list[dict[str, Any]] = []
    shapes: list[Shape] = []
    plot_height = frame.height - frame.top - frame.bottom
    for panel, px in zip(frame.panels, frame.heights, strict=True):
        spaced_names(panel.axis, px, look)
        for axis in (panel.axis, panel.overlay):
            if axis is not None and axis.get("type") in ("linear", "log"):
                label_ticks(axis, px, look)
    if frame.panels:
        ids, overlays = place(
            frame.panels, frame.heights, look.gap_px, max(plot_height, 1.0), layout
        )
        layout["xaxis"]["anchor"] = ids[-1]
        for panel, axis_id in zip(frame.panels, ids, strict=True):
            overlay_id = overlays.get(panel.name, axis_id)
            for trace in panel.traces:
                # Every trace is on plotly's default x axis, shared by all panels (so the spike
                # line crosses them all), and scatter is its default type: saying either on
                # every trace would only make the page larger.
                if trace.get("type") == "scatter":
                    del trace["type"]
                trace["yaxis"] = overlay_id if trace.get("yaxis") == OVERLAY else axis_id
                data.append(trace)
            for shape in panel.shapes:
                ref = shape["yref"]
                if ref in (SELF, OVERLAY):
                    shape["yref"] = overlay_id if ref == OVERLAY else axis_id
                shapes.append(shape)
    shapes += _day0(case, t, look, layout)
    if frame.key.entries and setting.narrow:
        # A column figure has no title (its caption carries it): the title's place, at the
        # figure's bottom left edge under the legend, holds the key.
        layout["title"] = frame.key.title(
            frame.key_room, look.text_px(KEY_SCALE), frame.height, frame.key_px
        )
    elif frame.key.entries:
        # Under the legend beside the plot, else at the figure's bottom edge under the time
        # axis' title: placed in px from the plot's top or bottom edge, so that the key keeps
        # its place when a page or slide changes the figure's other margins.
        size = look.text_px(KEY_SCALE)
        beside = frame.key_beside is not None
        note = frame.key.annotation(frame.key_room, size, 1 if beside else 0)
        note |= {"yanchor": "top", "yshift": round(-(frame.key_beside or 0.0), 1)}
        if beside:
            note["x"] = _beside_x(t, look, frame.panels)
        else:
            note["yshift"] = round(-(frame.bottom - frame.key_px), 1)
        layout["annotations"] = [*layout.get("annotations", []), note]
    if reveal is not None and t.start < reveal < t.end:
        shapes.append(_vline(t.x(reveal), GREY, "dash", 1))
    layout["shapes"] = shapes
    layout["height"] = frame.height if setting.options.height else round(frame.height)
    # a fluid figure laid out for a width (the browser's) still fills its page's width
    fixed = setting.width is not None and not setting.options.fluid
    if fixed:
        layout["width"] = setting.width
    layout["autosize"] = not fixed
    layout["meta"] = {
        "case_title": case.title,
        "axis": t.axis,
        "unit_days": t.unit_days,
        "reveal": reveal,
        "panels": [p.name for p in frame.panels if p.name],
        "plot_px": round(plot_height),
        "plot_width": round(t.plot_px, 1),
        "type_scale": round(frame.type_scale, 3),
        "need_px": frame.need_px,
        "labels": frame.key.drawn,
        "key": [{"ref": ref, "mark": mark, "text": text} for ref, mark, text in frame.key.entries],
    }
    if setting.kept is not None:
        restore_refs(data, setting.kept)
        for entry in [*layout["meta"]["labels"], *layout["meta"]["key"]]:
            entry["ref"] = restored(entry["ref"], setting.kept)
    return {"data": data, "layout": layout}


def _vline(x: Any, colour: str, dash: str, width: float) -> Shape:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": dash, "width": width},
        "layer": "above",
    }


def _day0(case: Case, t: TimeAxis, look: Theme, layout: dict[str, Any]) -> list[Shape]:
    """A labelled line at day 0 across every panel, when day 0 is in view and revealed."""
    if not (t.start <= 0 <= t.end and t.shown(0)):
        return []
    layout["annotations"] = [
        {
            "x": t.x(0),
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "text": t.words.t("day 0")
            if case.day0.named is None
            else t.words.t("day 0: {label}", label=esc(case.day0.named)),
            "showarrow": False,
            "font": look.font_dict(0.85),
        }
    ]
    return [_vline(t.x(0), look.ink, "dot", look.axis_width)]


def _beside_x(t: TimeAxis, look: Theme, panels: list[Panel]) -> float:
    """Where the legend and a key beside the plot begin, in paper widths: right of the
    right-hand axes' tick labels and titles, which share that strip."""
    right = max((right_margin(p, look) for p in panels), default=0.0)
    return round(1.01 + right / max(t.plot_px, 1.0), 4)


def _title_lines(setting: _Setting, look: Theme) -> list[str]:
    """The case's title in lines that fit the figure's width (one line when it is fluid)."""
    if setting.width is None:
        return [setting.case.title]
    size = look.text_px(look.title_size / look.size)
    return wrap(setting.case.title, setting.width * 0.97, size, bold=True)


def _layout(
    case: Case, t: TimeAxis, look: Theme, frame: _Frame, *, narrow: bool, title: str
) -> dict[str, Any]:
    grid = look.name != "print"
    legend = {
        "x": _beside_x(t, look, frame.panels),
        "y": 1,
        "xanchor": "left",
        "yanchor": "top",
        "font": look.font_dict(0.85),
        # each mark as big as in the plot, sized from the type
        "itemsizing": "trace",
        "tracegroupgap": 4,
    }
    if narrow:
        # Beside the plot the legend would take most of a column's width: put it below.
        legend |= {
            "orientation": "h",
            "x": 0,
            "y": round(frame.key_px / frame.height, 4),
            "yref": "container",
            "yanchor": "bottom",
            "entrywidth": math.floor(1000 / frame.legend_columns) / 1000,
            "entrywidthmode": "fraction",
            "tracegroupgap": 0,
            "traceorder": "normal",
        }
    # tick labels with the language's decimal sign (38,5 in German)
    separators = {} if t.words.english else {"separators": t.words.separators}
    return separators | {
        "template": {},
        "title": look.title(title),
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "margin": {"t": frame.top, "b": frame.bottom, "l": 10, "r": 10},
        "showlegend": True,
        "legend": legend,
        "hovermode": "closest",
        "spikedistance": -1,
        "hoverdistance": 45,
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": t.axis_layout()
        | {
            "domain": [0, 1],
            "range": t.range,
            "title": {
                "text": esc(t.title),
                "font": look.font_dict(look.x_title),
                "standoff": 8 if look.row_px >= get_theme(look.name).row_px else 3,
            },
            "showline": True,
            "linecolor": look.axis_line,
            "linewidth": look.axis_width,
            "ticks": "outside",
            "ticklen": 5,
            "tickcolor": look.axis_line,
            "showgrid": grid,
            "gridcolor": look.grid,
            "zeroline": False,
            "automargin": True,
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "cursor",
            "spikedash": "dot",
            "spikethickness": 1,
            "spikecolor": GREY,
        },
    }
