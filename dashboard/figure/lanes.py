"""The treatment panel: one row per drug, procedure or shared lane, few traces in all."""

from __future__ import annotations

from typing import Any

from dashboard.figure.key import Key
from dashboard.figure.parts import TITLED, Panel, Trace, esc, row_labels
from dashboard.figure.themes import GREY, Theme, get_theme
from dashboard.figure.timeaxis import TimeAxis
from dashboard.figure.treatments import Lanes
from dashboard.model import Case


def _gradient(lanes: Lanes) -> dict[str, Any]:
    """Row colours as a stepped vertical gradient: one fill trace, a colour per row."""
    rows = list(lanes.rows.values())
    total = rows[-1].top + rows[-1].height
    scale: list[list[Any]] = []
    for row in rows:
        colour = lanes.row_colour.get(row.name, GREY)
        low, high = row.top / total, (row.top + row.height) / total
        scale += [
            [low, colour],
            [max(low, high - 1e-6) if row is not rows[-1] else 1.0, colour],
        ]
    return {"type": "vertical", "colorscale": scale, "start": 0.0, "stop": total}


def _traces(lanes: Lanes, theme: Theme) -> list[Trace]:
    """The panel's traces, drawing order bottom to top."""
    skip = {"hoverinfo": "skip", "showlegend": False}
    say = lanes.t.words
    out: list[Trace] = []
    if lanes.bars:
        out.append(
            lanes.bars.trace(
                name=say.t("Treatment"),
                mode="lines",
                fill="toself",
                line={"width": 0},
                fillgradient=_gradient(lanes),
                **skip,
            )
        )
    if lanes.procedures:
        out.append(
            lanes.procedures.trace(
                name=say.t("Procedure bar"),
                mode="lines",
                fill="toself",
                fillcolor=theme.paper,
                line={"width": 1, "color": theme.procedure},
                fillpattern={
                    "shape": "/",
                    "fgcolor": theme.procedure,
                    "size": 7,
                    "solidity": 0.35,
                },
                hoverinfo="skip",
                # where rows are made thin to fit, the row's own label says what it is
                showlegend=theme.row_px >= get_theme(theme.name).row_px,
                legendrank=900,
            )
        )
    if lanes.fades:
        out.append(
            lanes.fades.trace(
                name=say.t("Approximate"),
                mode="lines",
                fill="toself",
                fillcolor="rgba(255,255,255,0.6)",
                line={"width": 1, "dash": "dot", "color": theme.ink},
                **skip,
            )
        )
    if lanes.ticks:
        out.append(
            lanes.ticks.trace(
                name=say.t("Administrations"),
                mode="markers",
                hovertemplate=TITLED,
                showlegend=False,
                marker={
                    "symbol": "line-ns",
                    "size": theme.row_px * 0.62,
                    "line": {"width": theme.line, "color": lanes.ticks.column("color")},
                },
            )
        )
    if lanes.marks:
        out.append(
            lanes.marks.trace(
                name=say.t("Given"),
                mode="markers",
                hovertemplate=TITLED,
                showlegend=False,
                marker={
                    "symbol": lanes.marks.column("symbol"),
                    "size": theme.mark_size("diamond"),
                    "color": lanes.marks.column("color"),
                    "line": {"width": 1.2, "color": lanes.marks.column("color")},
                },
            )
        )
    if lanes.arrows:
        out.append(
            lanes.arrows.trace(
                name=say.t("Ongoing"),
                mode="markers",
                hovertemplate=TITLED,
                showlegend=False,
                cliponaxis=False,
                marker={
                    "symbol": "triangle-right",
                    "size": theme.mark_size("triangle-right", 1.25),
                    "color": lanes.arrows.column("color"),
                },
            )
        )
    if lanes.labels:
        out.append(
            lanes.labels.trace(
                name=say.t("Doses"),
                mode="text",
                showlegend=False,
                hoverinfo="skip",
                hovertemplate=None,
                text=lanes.labels.column("text"),
                textposition=lanes.labels.column("position"),
                cliponaxis=False,
                textfont=theme.font_dict(0.85) | {"color": lanes.labels.column("color")},
            )
        )
    if lanes.along:
        out.append(
            lanes.along.trace(
                name=say.t("Treatments"),
                mode="markers",
                hovertemplate=TITLED,
                showlegend=False,
                marker={"size": theme.row_px * 0.7, "opacity": 0, "color": theme.ink},
            )
        )
    return out


def treatment_panel(
    case: Case,
    t: TimeAxis,
    theme: Theme,
    places: Case | None = None,
    families: tuple[str, ...] = (),
    key: Key | None = None,
) -> Panel | None:
    """The treatments as a panel of labelled rows, or None for a case without any; with
    `places` (the whole case), rows of what is not yet revealed are kept, blank; `families`
    fixes the hues of the classes it names (see `family_colours`); doses that fit nowhere
    beside their bars go to `key`."""
    if not case.treatments:
        return None
    lanes = Lanes(case, t, theme, places, families, key)
    rows = list(lanes.rows.values())
    total = rows[-1].top + rows[-1].height
    known = {item.row for item in case.treatments}
    axis = {
        "range": [total + 0.1, -0.1],
    } | row_labels(
        [round(row.centre, 3) for row in rows],
        [esc(row.name) if row.name in known else "" for row in rows],
        theme,
        theme.row_label,
    )
    return Panel("treatments", total * theme.row_px + 8, axis, _traces(lanes, theme), grow=0.3)
