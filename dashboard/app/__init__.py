"""The browser dashboard: `create_app(folder)` builds a Dash app, `serve` runs it.

Routes: `/` every case and series, `/case/<id>` one case (its view in the query string),
`/series/<id>` one series,
`/present/<id>` the step-by-step presentation; downloads under `/export/`, images of a
case under `/case-image/<id>/`. No app object exists until `create_app` is called.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

from dash import Dash, dcc, html

if TYPE_CHECKING:
    from dashboard.app.editing import Editing
    from dashboard.dates import DatePolicy

ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(
    folder: str | os.PathLike[str],
    dates: DatePolicy | str = "exact",
    editing: Editing | None = None,
) -> Dash:
    """The dashboard for a folder of case files, its dates shown as `dates` says; with
    `editing`, cases can be written in the browser (otherwise no writing route exists)."""
    from dashboard.app import series
    from dashboard.app.callbacks import register
    from dashboard.app.cases import Library
    from dashboard.app.routes import FONT_FACES, PLOTLY_JS, add_routes

    library = Library(folder, dates, editable=editing is not None)
    app = Dash(
        __name__,
        title="clinical-course",
        update_title=cast(str, None),  # no 'Updating...' flicker in the tab title
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,  # the pages are built by the router callback
        serve_locally=True,
        external_stylesheets=[FONT_FACES],  # the fonts the figures are drawn and measured in
        # the shipped plotly.js, which the graphs take in place of Dash's full bundle
        external_scripts=[PLOTLY_JS],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # (WCAG 3.1.1)
    app.layout = html.Div(
        [dcc.Location(id="url", refresh=False), html.Div(id="page", className="page")]
    )
    register(app, library)
    series.register(app, library)
    # after every callback is registered: its hashes and its outputs
    add_routes(app.server, library, app.csp_hashes(), frozenset(app.callback_map))
    series.add_routes(app.server, library)
    if editing is not None:
        from dashboard.app.editing import Gate, add_edit_routes
        from dashboard.app.importing import add_import_routes

        add_edit_routes(app.server, library, editing)
        add_import_routes(app.server, library, Gate(editing))
    library.start()
    finish_setup(app)
    return app


def finish_setup(app: Dash) -> None:
    """Do the setup Dash would do on the first request, before any request can arrive.

    Dash marks its lazy setup done before it has finished it, so a threaded server could
    answer a parallel first request with half a setup (500s on its scripts).
    """
    with app.server.test_request_context("/"):
        app.server.preprocess_request()


def serve(
    folder: str | os.PathLike[str],
    *,
    host: str,
    port: int,
    workers: int,
    dates: DatePolicy | str = "exact",
    editing: Editing | None = None,
) -> None:
    """Serve the dashboard for `folder` on host:port with `workers` processes."""
    from dashboard.app.server import run

    run(folder, host=host, port=port, workers=workers, dates=dates, editing=editing)


__all__ = ["create_app", "serve"]
