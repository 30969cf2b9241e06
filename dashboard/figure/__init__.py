"""Case + view options -> Plotly figure: the one figure the app, exports and slides all draw."""

from __future__ import annotations

from dashboard.figure.layout import FigureOptions, build_figure, figure_spec
from dashboard.model.views import AXES, THEMES
from dashboard.problems import FigureWarning

__all__ = ["AXES", "THEMES", "FigureOptions", "FigureWarning", "build_figure", "figure_spec"]
