"""Writing cases in the browser (`serve --edit`): the edit view, its checks, saves and history.

None of these routes exists unless editing is on. Every request that writes, and every check,
must come from a page of this server (its Origin) and carry the page's token; on an address
other machines can reach, it must also come from someone signed in with the server's secret,
or named by the operator's trusted proxy header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
from flask import Flask, Response, redirect, request, send_from_directory, session

from dashboard.app.cases import Library
from dashboard.export.templating import render
from dashboard.figure import figure_spec
from dashboard.load import parse_case
from dashboard.model.schema import json_schema
from dashboard.problems import CourseError, InvalidCase
from dashboard.rows import Change, RowsError, edit, tables
from dashboard.saving import Conflict, SaveError, create, save, text_hash, version_text, versions

EDITOR_FILES = Path(__file__).resolve().parent / "editor"
EDITOR_STATIC = "/static-editor/"
TOKEN_HEADER = "X-Edit-Token"
EMPTY_CASE = (
    "title: A new case\n"
    "# Write the course below; the figure is drawn as you type.\n"
    "treatments: []\n"
    "events: []\n"
)
_SIGNED_IN = "signed-in"
MODEL = "model:"  # a new case's starting point that is one of the shipped seed cases


@cache
def models() -> dict[str, tuple[str, str]]:
    """The seed cases shipped in the package (dashboard/seeds, package data), offered as models
    for a new case: file name -> (title, text)."""
    found = {}
    for entry in sorted((resources.files("dashboard") / "seeds").iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")) and ".series." not in entry.name:
            text = entry.read_text(encoding="utf-8")
            found[entry.name] = (parse_case(text, entry.name).title, text)
    return found


@dataclass(frozen=True, slots=True)
class Editing:
    """Who may write: `secret` signs sessions and tokens; `sign_in` is required on an address
    other machines can reach; `user_header` names a trusted proxy's header of user names."""

    secret: str
    sign_in: bool = False
    user_header: str | None = None

    @property
    def token(self) -> str:
        """The token every writing request carries, the same in every worker process."""
        return hmac.new(self.secret.encode(), b"edit-token", hashlib.sha256).hexdigest()


class EditingError(CourseError):
    """Editing cannot be turned on as asked."""


MIN_SECRET = 16  # characters


def editing_for(
    host: str, loopback: bool, secret: str | None, user_header: str | None = None
) -> Editing:
    """Who may write on a server listening on `host` (`loopback`: only this machine can reach
    it): there, anyone who can open its pages; elsewhere, only those signed in with `secret`."""
    if loopback:
        return Editing(secret or secrets.token_urlsafe(32), user_header=user_header)
    if not secret:
        raise EditingError(
            f"--edit on {host} would let anyone who reaches it change the cases; give a secret "
            "for editors to sign in with (--secret or CLINICAL_COURSE_SECRET), or serve on "
            "127.0.0.1"
        )
    if len(secret) < MIN_SECRET:
        raise EditingError(
            f"the secret is too short to guess safely; use at least {MIN_SECRET} characters"
        )
    return Editing(secret, sign_in=True, user_header=user_header)


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY),
        status=status,
        mimetype="application/json",
    )


def _refused(message: str, status: int = 403) -> Response:
    return _json({"error": message}, status)


def problems_of(error: InvalidCase) -> list[dict[str, Any]]:
    """A case's problems as the editor shows them: line, column, and the message."""
    return [
        {
            "line": problem.line or 1,
            "column": problem.column or 1,
            "text": f"{problem.key}: {problem.message}" if problem.key else problem.message,
        }
        for problem in error.errors
    ]


class Gate:
    """Checks the requests of an editing server: who is writing, and whether they may."""

    def __init__(self, editing: Editing) -> None:
        self.editing = editing

    def who(self) -> str:
        """The user of this request, as the history's log names them."""
        header = self.editing.user_header
        user = request.headers.get(header, "") if header else ""
        if not user:
            user = "signed-in user" if self.editing.sign_in else "local user"
        return f"{user} ({request.remote_addr})"

    def signed_in(self) -> bool:
        """True when this request comes from a signed-in editor (or no sign-in is needed)."""
        if not self.editing.sign_in:
            return True
        header = self.editing.user_header
        if header and request.headers.get(header):
            return True
        return bool(session.get(_SIGNED_IN))

    def refusal(self, *, form_token: str | None = None) -> Response | None:
        """Why this request may not write, or None when it may: it must come from a page of
        this server, carry its token, and come from a signed-in editor where one is needed."""
        own = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin")
        if origin is None and request.headers.get("Sec-Fetch-Site") in (None, "same-origin"):
            referer = urlsplit(request.headers.get("Referer", ""))
            origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
        if origin is None:
            return _refused("refused: the request does not say which page it came from")
        if origin != own:
            return _refused("refused: the request came from another site")
        token = form_token if form_token is not None else request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(token, self.editing.token):
            return _refused("refused: this page is out of date; reload it and try again")
        if not self.signed_in():
            return _refused("refused: sign in with the server's secret to edit cases", 401)
        return None


def add_edit_routes(server: Flask, library: Library, editing: Editing) -> None:
    """Attach the edit view and its writing routes to the app's server."""
    server.secret_key = editing.secret
    folder = library.folder
    gate = Gate(editing)
    who, allowed, signed_in = gate.who, gate.refusal, gate.signed_in

    def file_of(case_id: str) -> Path | None:
        return library.path(case_id)

    def writable(case_id: str) -> Path | Response:
        """The file of a case this request may write, or the answer refusing it."""
        if (refusal := allowed()) is not None:
            return refusal
        path = file_of(case_id)
        return _refused("no such case", 404) if path is None else path

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    @server.route(EDITOR_STATIC + "<name>")
    def editor_file(name: str) -> Response:
        if name not in {"editor.js", "edit.css"}:
            return Response("Not found", status=404, mimetype="text/plain")
        return send_from_directory(EDITOR_FILES, name, max_age=3600)

    @server.route("/case/<case_id>/edit")
    def edit_page(case_id: str) -> Response:
        path = file_of(case_id)
        if path is None:
            return Response(render("missing.html.j2", what="case", name=case_id), status=404)
        if not signed_in():
            return redirect("/sign-in?next=" + quote(request.path))  # type: ignore[return-value]
        data = path.read_bytes()
        settings = {
            "text": data.decode("utf-8", "replace"),
            "hash": text_hash(data),
            "token": editing.token,
            "schema": json_schema(),
            **{
                action: f"/edit/{quote(case_id, safe='')}/{action}"
                for action in ("check", "rows", "save", "copy", "history", "restore")
            },
        }
        page = render(
            "edit.html.j2",
            name=path.name,
            case_href="/case/" + quote(case_id, safe=""),
            settings=settings,
            plotly="/static-plotly/plotly.min.js",
            fonts="/static-fonts/faces.css",
        )
        response = Response(page, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.post("/edit/<case_id>/check")
    def check(case_id: str) -> Response:
        path = writable(case_id)
        if isinstance(path, Response):
            return path
        data = body()
        text = str(data.get("text", ""))
        rows = tables(text) if data.get("rows") else None  # (only while the rows are shown)
        try:
            case = library.dates.apply(parse_case(text, path.name))
            figure = figure_spec(case)
        except InvalidCase as error:
            return _json({"problems": problems_of(error), "figure": None, "rows": rows})
        return _json({"problems": [], "figure": figure, "rows": rows})

    @server.post("/edit/<case_id>/rows")
    def edit_rows(case_id: str) -> Response:
        # An edit in the Rows view, written into the text the page sends; nothing is saved.
        path = writable(case_id)
        if isinstance(path, Response):
            return path
        data = body()
        try:
            text = edit(str(data.get("text", "")), Change.from_json(data))
        except RowsError as error:
            return _refused(str(error), 400)
        return _json({"text": text})

    @server.post("/edit/<case_id>/save")
    def save_case(case_id: str) -> Response:
        path = writable(case_id)
        if isinstance(path, Response):
            return path
        data = body()
        try:
            new_hash = save(
                folder, path.name, str(data.get("text", "")), str(data.get("hash", "")), who()
            )
        except Conflict as conflict:
            theirs = (folder / path.name).read_bytes()
            return _json(
                {"error": str(conflict), "theirs": conflict.theirs, "hash": text_hash(theirs)}, 409
            )
        except SaveError as error:
            return _refused(str(error), 400)
        return _json({"hash": new_hash, "message": f"Saved {path.name}"})

    @server.post("/edit/<case_id>/copy")
    def save_copy(case_id: str) -> Response:
        path = writable(case_id)
        if isinstance(path, Response):
            return path
        for number in range(1, 100):
            name = f"{path.stem}-copy{'' if number == 1 else number}{path.suffix}"
            if not (folder / name).exists():
                break
        try:
            create(folder, name, str(body().get("text", "")), who(), "copy")
        except SaveError as error:
            return _refused(str(error), 400)
        return _json({"message": f"Your version is saved as {name}"})

    @server.get("/edit/<case_id>/history")
    def history(case_id: str) -> Response:
        path = file_of(case_id)
        if path is None:
            return _refused("no such case", 404)
        kept = versions(folder, path.name)
        return _json({"versions": [{"name": v.name, "when": v.when} for v in kept]})

    @server.post("/edit/<case_id>/restore")
    def restore(case_id: str) -> Response:
        path = writable(case_id)
        if isinstance(path, Response):
            return path
        version = str(body().get("version", ""))
        try:
            text = version_text(folder, path.name, version)
        except SaveError as error:
            return _refused(str(error), 400)
        return _json({"text": text, "message": f"Restored the version of {version}"})

    @server.route("/new", methods=["GET", "POST"])
    def new_case() -> Response:
        if not signed_in():
            return redirect("/sign-in?next=/new")  # type: ignore[return-value]
        cases = [(entry.id, entry.title or entry.id) for entry in library.catalogue.cases()]
        if request.method == "GET":
            return _new_page(cases, editing.token)
        name = request.form.get("name", "").strip()
        start = request.form.get("start", "")
        if (refusal := allowed(form_token=request.form.get("token", ""))) is not None:
            return refusal
        if name and "." not in name:
            name += ".yaml"
        text = EMPTY_CASE
        if start.startswith(MODEL) and start.removeprefix(MODEL) in models():
            text = models()[start.removeprefix(MODEL)][1]
        elif start:
            source = file_of(start)
            if source is None:
                return _new_page(cases, editing.token, name, start, f"there is no case {start}")
            text = source.read_bytes().decode("utf-8", "replace")
        try:
            created = create(folder, name, text, who())
        except SaveError as error:
            return _new_page(cases, editing.token, name, start, str(error), 400)
        library.catalogue.update([created.name])
        return redirect(f"/case/{quote(created.stem, safe='')}/edit", 303)  # type: ignore[return-value]

    @server.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> Response:
        target = request.args.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        error = ""
        if request.method == "POST":
            given = request.form.get("secret", "")
            if hmac.compare_digest(given.encode(), editing.secret.encode()):
                session[_SIGNED_IN] = True
                return redirect(target, 303)  # type: ignore[return-value]
            error = "That is not this server's secret."
        page = render("sign_in.html.j2", error=error, next=target)
        return Response(page, status=401 if error else 200, mimetype="text/html")


def _new_page(
    cases: list[tuple[str, str]],
    token: str,
    name: str = "",
    start: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    seeds = [(MODEL + name, title) for name, (title, _) in models().items()]
    page = render(
        "new_case.html.j2",
        cases=cases,
        models=seeds,
        token=token,
        name=name,
        start=start,
        error=error,
    )
    return Response(page, status=status, mimetype="text/html")


__all__ = [
    "EDITOR_STATIC",
    "Editing",
    "EditingError",
    "add_edit_routes",
    "editing_for",
    "problems_of",
]
