"""The events row (relapses as arrowheads, other kinds by shape) and the periods strip."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dashboard.figure.key import Key, key_mark
from dashboard.figure.parts import (
    TITLED,
    Panel,
    Points,
    Shape,
    Trace,
    approx_note,
    esc,
    lines,
    row_labels,
    template_text,
)
from dashboard.figure.themes import (
    EVENT_COLOURS,
    EVENT_PALETTE,
    EVENT_SYMBOLS,
    Theme,
    event_symbol,
    extent,
)
from dashboard.figure.timeaxis import TimeAxis
from dashboard.i18n import Words
from dashboard.model import EVENT_KINDS, Case, Event


def _levels(events: tuple[Event, ...], merged: bool = False) -> dict[str, int]:
    """One level per kind present (or relapses and one for the rest, merged); relapses
    lowest, right above the treatment rows, as the papers draw them."""
    present = {event.kind for event in events}
    order = ["relapse"] + [kind for kind in EVENT_KINDS if kind != "relapse"]
    kinds = [k for k in order if k in present]
    if not merged:
        return {kind: level for level, kind in enumerate(kinds)}
    relapses = "relapse" in present
    return {kind: 0 if kind == "relapse" or not relapses else 1 for kind in kinds}


def _row_names(levels: dict[str, int], say: Words) -> dict[int, str]:
    """Each level's row label: its kind's name, or 'Events' for a row of several kinds (the
    row of every kind but relapses, when rows must make room)."""
    names: dict[int, list[str]] = {}
    for kind, level in levels.items():
        names.setdefault(level, []).append(kind)
    merged = say.t("Events")
    return {
        level: say.kind(kinds[0]) if len(kinds) == 1 else merged for level, kinds in names.items()
    }


# A kind with more distinct labels than this is one legend entry in the kind's colour, its
# labels written beside the marks: a legend line per label would outgrow the chart, and
# the palette has too few colours to keep them apart anyway.
LABELS_IN_LEGEND = 4


def _legend_keys(
    events: tuple[Event, ...], say: Words, by_kind: bool = False, keep: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The legend entry of each event: (kind, label), or (kind, kind) for a many-label kind
    or when the legend must be short (the labels are written beside the marks or keyed);
    the kinds in `keep` keep their labels apart whenever they have few."""
    labels: dict[str, set[str]] = {}
    for event in events:
        labels.setdefault(event.kind, set()).add(say.event_title(event))
    return [
        (event.kind, say.kind_in_text(event.kind))
        if (by_kind and event.kind not in keep) or len(labels[event.kind]) > LABELS_IN_LEGEND
        else (event.kind, say.event_title(event))
        for event in events
    ]


def _colours(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Distinct labels of one kind get distinct colours; the first keeps the kind's own."""
    colours: dict[tuple[str, str], str] = {}
    used: dict[str, list[str]] = {}
    for key in keys:
        if key in colours:
            continue
        kind = key[0]
        taken = used.setdefault(kind, [])
        first = EVENT_COLOURS[kind]
        choices = [first] + [c for c in EVENT_PALETTE if c != first]
        colour = choices[len(taken) % len(choices)]
        taken.append(colour)
        colours[key] = colour
    return colours


def _variants(keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Each legend entry's place among the entries of its kind, in order of appearance."""
    variants: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    for key in keys:
        if key not in variants:
            variants[key] = counts.get(key[0], 0)
            counts[key[0]] = variants[key] + 1
    return variants


def _hover(event: Event, say: Words) -> str:
    """The per-event part of the hover; the kind and label are in the trace's template."""
    when = say.when(event.at)
    if event.end is not None:
        when += f" → {say.when(event.end)}"
    approx = event.at.approx or (event.end is not None and event.end.approx)
    return lines(
        when,
        esc(event.detail or ""),
        say.t("image in the detail panel") if event.image else None,
        approx_note(approx, say),
    )


def _at_edge(event: Event, t: TimeAxis, theme: Theme) -> Event:
    """An event the time axis does not reach (a window, or `axis: from/to`) at the axis'
    edge, its label saying when it was and pointing the way: '◀ day -7: fever'. Left out,
    its row would stand empty and its label be lost."""
    end = event.end.day if event.end is not None else event.at.day
    if end >= t.start and event.at.day <= t.end:
        return event
    before = end < t.start
    inset = t.days_for_px(_mark_px(event, theme) / 2 + 1)  # the whole mark on the plot
    edge = t.start + inset if before else t.end - inset
    when = t.words.when(event.at)
    text = f"◀ {when}: {event.title}" if before else f"{event.title}: {when} ▶"
    at = dataclasses.replace(event.at, day=edge)
    return event.model_copy(update={"at": at, "end": None, "label": text})


def _mark_px(event: Event, theme: Theme) -> float:
    """How wide the mark of `event` is drawn, in px."""
    symbol = event.marker or EVENT_SYMBOLS[event.kind]
    scale = 1.3 if event.kind == "relapse" else 1.0
    return theme.mark_size(symbol, scale) * extent(symbol)


def _pitch(theme: Theme) -> float:
    """How far apart, in px, two staggered marks of one row sit: a mark or a line of text."""
    return max(theme.mark_size("triangle-down", 1.3) * 1.16, theme.text_px(0.85) * 1.25)


def _lanes(events: tuple[Event, ...], t: TimeAxis, theme: Theme, rows: dict[str, int]) -> list[int]:
    """Each event's lane within its row: marks that would lie on top of each other are
    staggered: the first on the lowest lane, the next above it, up to MOST_LANES."""
    lanes = [0] * len(events)
    ends: dict[int, list[float]] = {}  # where the last mark on each lane of a row ends, in px
    for index in sorted(range(len(events)), key=lambda i: events[i].at.day):
        event = events[index]
        if not t.shown(event.at.day):
            continue
        half = _mark_px(event, theme) / 2 + 1
        at = (event.at.day - t.start) * t.px_per_day
        end = (t.clip(event.end.day) - t.start) * t.px_per_day if event.end is not None else at
        taken = ends.setdefault(rows[event.kind], [])
        lane = next((n for n, last in enumerate(taken) if last <= at - half), None)
        if lane is None and len(taken) < MOST_LANES:
            lane = len(taken)
            taken.append(-math.inf)
        if lane is None:  # more at once than a row stacks: beside the one that ends first
            lane = min(range(len(taken)), key=lambda n: taken[n])
        # a labelled mark keeps at least room for its key mark after it
        taken[lane] = end + half + (theme.measure(" ⑳", 0.85) if event.label else 0.0)
        lanes[index] = lane
    return lanes


MOST_LANES = 8  # marks of one row stacked at most this high


def _texts(
    events: tuple[Event, ...],
    t: TimeAxis,
    theme: Theme,
    rows: dict[str, int],
    lanes: list[int],
    key: Key,
) -> dict[int, tuple[str, str]]:
    """Labels beside their marks (right, else left) where they run into no other mark or
    label on their lane, nor off the plot; a label that fits nowhere goes to the key, its
    mark beside the event's."""
    levels: dict[tuple[int, int], list[int]] = {}
    for index in sorted(range(len(events)), key=lambda i: events[i].at.day):
        if t.shown(events[index].at.day):
            levels.setdefault((rows[events[index].kind], lanes[index]), []).append(index)
    texts: dict[int, tuple[str, str]] = {}

    def px(day: float) -> float:
        return (day - t.start) * t.px_per_day

    for indices in levels.values():
        free = -math.inf  # where the last mark or label on this lane ends
        for number, index in enumerate(indices):
            event, ref = events[index], f"events[{index}]"
            half = _mark_px(event, theme) / 2 + 1
            at = px(event.at.day)
            end = px(t.clip(event.end.day)) if event.end is not None else at
            after = indices[number + 1] if number + 1 < len(indices) else None
            limit = t.plot_px if after is None else px(events[after].at.day)
            label = event.label or ""
            width = half + theme.measure(" " + label, 0.85)
            mark_width = half + theme.measure(" " + key_mark(len(key.entries) + 1), 0.85)
            whole = bool(label) and key.fits(ref)
            if whole and end >= free and end + width <= limit - half:
                texts[index] = (" " + esc(label), "middle right")
                key.beside(ref, label)
                free = end + width
            elif whole and at - width >= max(free, 0.0) and event.end is None:
                texts[index] = (esc(label) + " ", "middle left")
                key.beside(ref, label)
                free = end + half
            elif label:
                mark = key.add(ref, label)
                if end + mark_width > limit - half and at - mark_width >= max(free, 0.0):
                    texts[index] = (mark + " ", "middle left")
                    free = end + half
                else:
                    texts[index] = (" " + mark, "middle right")
                    free = end + mark_width
            else:
                free = max(free, end + half)
    return texts


def _heights(counts: dict[int, int], pitch: float) -> dict[int, tuple[float, float]]:
    """Each row's middle and height, in rows, bottom to top: a row of staggered marks is as
    tall as its lanes."""
    out: dict[int, tuple[float, float]] = {}
    top = 0.0
    for level in sorted(counts):
        height = max(1.0, counts[level] * pitch)
        out[level] = (top + height / 2, height)
        top += height
    return out


def event_panel(
    case: Case,
    t: TimeAxis,
    theme: Theme,
    *,
    by_kind: bool = False,
    merged: bool = False,
    places: Case | None = None,
    key: Key | None = None,
) -> Panel | None:
    """Events as marks on one level per kind (or merged), one trace per legend entry; with
    `places` (the whole case), rows of kinds not yet revealed are kept, blank. Labels that
    do not fit beside their marks go to `key`."""
    if not case.events:
        return None
    written = case.events  # as the file gives them, for the hover
    case = case.model_copy(update={"events": tuple(_at_edge(e, t, theme) for e in case.events)})
    if places is not None:
        places = places.model_copy(
            update={"events": tuple(_at_edge(e, t, theme) for e in places.events)}
        )
    key = key if key is not None else Key()
    levels = _levels((places or case).events, merged)
    known = {event.kind for event in case.events}
    # Print must survive greyscale: there the labels of a kind differ by shape as well, and
    # relapses that differ (optic neuritis, myelitis) keep their own marks in the legend.
    printed = theme.name == "print"
    keep = frozenset({"relapse"} if printed else ())
    keys = _legend_keys(case.events, t.words, by_kind or merged, keep)
    colours = _colours(keys)
    variants = _variants(keys) if printed else {}
    groups: dict[tuple[str, str], Points] = {}
    spans = {
        key
        for key, event in zip(keys, case.events, strict=True)
        if event.end is not None and event.end.day > event.at.day
    }
    lanes = _lanes(case.events, t, theme, levels)
    every = (places or case).events
    counts: dict[int, int] = dict.fromkeys(levels.values(), 1)
    for level, lane in zip(
        (levels[e.kind] for e in every), _lanes(every, t, theme, levels), strict=True
    ):
        counts[level] = max(counts[level], lane + 1)
    pitch = _pitch(theme) / theme.level_px
    rows = _heights(counts, pitch)
    texts = _texts(case.events, t, theme, levels, lanes, key)
    order = sorted(range(len(case.events)), key=lambda i: case.events[i].at.day)
    for index in order:
        event = case.events[index]
        if not t.shown(event.at.day):
            continue
        legend = keys[index]
        points = groups.setdefault(legend, Points())
        ref = f"events[{index}]"
        middle, _ = rows[levels[event.kind]]
        y = round(middle + (lanes[index] - (counts[levels[event.kind]] - 1) / 2) * pitch, 3)
        symbol = event.marker or EVENT_SYMBOLS[event.kind]
        variant = variants.get(legend, 0)
        mark = (
            event_symbol(event.kind, variant, event.at.approx)
            if variant and not event.marker
            else symbol + ("-open" if event.at.approx else "")
        )
        colour = event.color or colours[legend]
        # A cross inside a filled mark shows only in an outline of the paper's colour.
        inside = variant and not event.at.approx and ("-x" in mark or "-cross" in mark)
        outline = theme.paper if inside else colour
        text, position = texts.get(index, ("", "middle right"))
        span = event.end is not None and event.end.day > event.at.day
        hover = _hover(written[index], t.words)
        title = t.words.event_title(event)
        if legend[1] != title:  # the legend names only the kind: the hover names the label
            hover = lines(f"<i>{esc(title)}</i>", hover)
        if points and legend in spans:
            # A gap, so that a span's line does not run on to the next mark.
            points.add(
                None,
                None,
                ref,
                "",
                symbol=symbol,
                color=colour,
                outline=colour,
                text="",
                position=position,
            )
            points.customdata[-1] = None
        points.add(
            t.x(event.at.day),
            y,
            ref,
            hover,
            symbol=mark,
            color=colour,
            outline=outline,
            text="" if span else text,
            position=position,
        )
        if span:
            assert event.end is not None
            end = t.x(t.clip(event.end.day))
            points.add(
                end,
                y,
                ref,
                hover,
                symbol="line-ns-open",
                color=colour,
                outline=colour,
                text=text,
                position=position,
            )
    traces = [
        _event_trace(kind, title, points, legend in spans, theme, levels[kind], t.words)
        for legend, points in groups.items()
        for kind, title in [legend]
    ]
    if printed and (by_kind or merged):
        # a short legend names relapses once; their own marks and labels tell them apart
        relapses = [trace for trace in traces if trace["legendgroup"] == "relapse"]
        for number, trace in enumerate(relapses):
            trace["name"] = t.words.kind("relapse")
            trace["showlegend"] = number == 0
    names = _row_names(levels, t.words)
    shown = {levels[kind] for kind in known}
    names = {level: name if level in shown else "" for level, name in names.items()}
    bottom, top = min(rows), max(rows)
    axis = {
        "range": [
            round(rows[bottom][0] - rows[bottom][1] / 2 - 0.1, 3),
            round(rows[top][0] + rows[top][1] / 2 + 0.1, 3),
        ],
    } | row_labels(
        [round(rows[level][0], 3) for level in names],
        list(names.values()),
        theme,
        min(0.92, theme.row_label),
    )
    total = sum(height for _, height in rows.values())
    height = total * theme.level_px + min(10.0, theme.level_px * 0.3)
    return Panel("events", height, axis, traces, grow=0.2)


def _event_trace(
    kind: str, title: str, points: Points, spans: bool, theme: Theme, level: int, say: Words
) -> Trace:
    drawn = [s for s in points.column("symbol") if s != "line-ns-open"]
    size = theme.mark_size(drawn or EVENT_SYMBOLS[kind], 1.3 if kind == "relapse" else 1.0)
    row = say.kind(kind)
    name = (
        row if title == say.kind_in_text(kind) else say.t("{kind}: {label}", kind=row, label=title)
    )
    colour = _uniform(points.column("color"))
    texts = points.column("text")
    mode = "lines+markers" if spans else "markers"
    trace = points.trace(
        name=esc(name),
        hovertemplate=f"<b>{template_text(name)}</b><br>%{{customdata[1]}}<extra></extra>",
        mode=mode + ("+text" if any(texts) else ""),
        legendgroup=kind,
        legendrank=100 + level,
        cliponaxis=False,
        marker={
            "symbol": _uniform(points.column("symbol")),
            "size": size,
            "color": colour,
            "line": {"width": 1.5, "color": _uniform(points.column("outline"))},
        },
    )
    if any(texts):
        trace |= {
            "text": texts,
            "textposition": _uniform(points.column("position")),
            "textfont": theme.font_dict(0.85),
        }
    if spans:
        trace["line"] = {"width": theme.line * 2, "color": next(c for c in points.column("color"))}
    return trace


def _uniform(values: list[Any]) -> Any:
    """One value for the whole trace when every point has the same, else the list."""
    return values[0] if len(set(values)) == 1 else values


def _period_texts(
    case: Case, t: TimeAxis, theme: Theme, key: Key
) -> dict[int, tuple[float, str, str]]:
    """Where each period's label goes: centred, else at its start or end, else its key mark
    there and the label in the key; no two labels overlap and none leaves the plot."""
    placed: list[tuple[float, float]] = []
    found: dict[int, tuple[float, str, str]] = {}

    def px(day: float) -> float:
        return (day - t.start) * t.px_per_day

    def free(low: float, high: float) -> bool:
        inside = low >= 0 and high <= t.plot_px
        return inside and all(high <= a or low >= b for a, b in placed)

    shown = [i for i, period in enumerate(case.periods) if t.shown(period.from_.day)]
    # The shortest periods first: they have the fewest places to put their label.
    for index in sorted(shown, key=lambda i: case.periods[i].to.day - case.periods[i].from_.day):
        period, ref = case.periods[index], f"periods[{index}]"
        label = period.label or ""
        if not label:
            continue
        start, end = period.from_.day, t.clip(period.to.day)
        x0, x1 = px(start), px(end)
        whole = [label] if key.fits(ref) else []
        for text in (*whole, key_mark(len(key.entries) + 1)):
            need = theme.measure(text + " ", 0.85)
            middle = (x0 + x1) / 2
            choices = (
                ((start + end) / 2, "middle center", middle - need / 2, middle + need / 2),
                (start, "middle right", x0, x0 + need),
                (end, "middle left", x1 - need, x1),
            )
            spot = next((c for c in choices if free(c[2], c[3])), None)
            if spot is None and text != label:
                # a key mark goes as near the period's middle as it is free, come what may
                lows = [
                    middle - need / 2 + k * need / 2 * sign
                    for k in range(1, 40)
                    for sign in (1, -1)
                ]
                low = next((x for x in lows if free(x, x + need)), max(0.0, middle - need / 2))
                day = t.start + (low + need / 2) / t.px_per_day
                spot = (day, "middle center", low, low + need)
            if spot is not None:
                if text == label:
                    key.beside(ref, label)
                else:
                    key.add(ref, label)
                found[index] = (spot[0], spot[1], esc(text))
                placed.append((spot[2], spot[3]))
                break
    return found


def period_strip(case: Case, t: TimeAxis, theme: Theme, key: Key | None = None) -> Panel | None:
    """Labels for the periods in a thin strip on top; their shading spans every panel.
    Labels that fit nowhere go to `key`."""
    if not case.periods:
        return None
    points = Points()
    shapes: list[Shape] = []
    texts = _period_texts(case, t, theme, key if key is not None else Key())
    for index, period in enumerate(case.periods):
        start = period.from_.day
        if not t.shown(start):
            continue
        end = t.clip(period.to.day)
        ref = f"periods[{index}]"
        approx = period.from_.approx or period.to.approx
        title = esc(period.label or t.words.t("Period"))
        hover = lines(
            f"{t.words.when(period.from_)} → {t.words.when(period.to)}",
            esc(period.note or ""),
            approx_note(approx, t.words),
        )
        at, position, text = texts.get(index, ((start + end) / 2, "middle center", ""))
        for day, shown_text in ((start, ""), (at, text), (end, "")):
            points.add(t.x(day), 0.5, ref, title, hover, text=shown_text, position=position)
        shape: dict[str, Any] = {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": t.x(start),
            "x1": t.x(end),
            "y0": 0,
            "y1": 1,
            "fillcolor": period.color or theme.period_fill,
            "opacity": 0.25 if period.color else 1,
            "line": {"width": 0},
            "layer": "below",
        }
        shapes.append(shape)
    trace = points.trace(
        name=t.words.t("Periods"),
        mode="text",
        hovertemplate=TITLED,
        text=points.column("text"),
        textposition=points.column("position"),
        textfont=theme.font_dict(0.85),
        showlegend=False,
        cliponaxis=False,
    )
    axis = {"range": [0, 1], "visible": False, "fixedrange": True}
    return Panel("periods", max(theme.level_px * 0.9, theme.label_row_px), axis, [trace], shapes)
