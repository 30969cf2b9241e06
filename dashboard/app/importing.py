"""'Import' on the index (`serve --edit`): upload sources, preview the cases, then write them.

The upload is imported into a staging folder of the history (beside the case folder, never in
it), de-identified as `clinical-course import` does; the preview lists each case with what was
kept and what was left out. Only 'Write these cases' puts them into the folder, each under a
name no file has yet.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import Flask, Response, redirect, request

from dashboard.app.cases import Library
from dashboard.app.editing import Gate
from dashboard.export.templating import render
from dashboard.importers import NAMES, import_sources
from dashboard.importers.writer import kept, left_out
from dashboard.problems import CourseError
from dashboard.saving import SaveError, create, history_folder

MAX_UPLOAD = 20 * 1024 * 1024  # bytes, all files of one upload together
_STAGE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


STAGE_HOURS = 24  # a preview not written within this is removed


def _staging(folder: Path) -> Path:
    return history_folder(folder) / "imports"


def _clear_old(staging: Path) -> None:
    """Remove the previews that were never written (their uploads were de-identified cases,
    but nobody asked to keep them)."""
    if not staging.is_dir():
        return
    limit = time.time() - STAGE_HOURS * 3600
    for stage in staging.iterdir():
        if stage.is_dir() and stage.stat().st_mtime < limit:
            shutil.rmtree(stage, ignore_errors=True)


def _page(token: str, *, error: str = "", preview: object = None, stage: str = "") -> Response:
    page = render(
        "import.html.j2",
        token=token,
        error=error,
        formats=sorted(NAMES.items()),
        preview=preview,
        stage=stage,
    )
    return Response(page, status=400 if error else 200, mimetype="text/html")


def add_import_routes(server: Flask, library: Library, gate: Gate) -> None:
    """Attach the import form, its preview and its writing step to the app's server."""
    folder = library.folder
    token = gate.editing.token

    @server.route("/import", methods=["GET", "POST"])
    def import_form() -> Response:
        if not gate.signed_in():
            return redirect("/sign-in?next=/import")  # type: ignore[return-value]
        if request.method == "GET":
            return _page(token)
        if (refusal := gate.refusal(form_token=request.form.get("token", ""))) is not None:
            return refusal
        uploads = [upload for upload in request.files.getlist("sources") if upload.filename]
        if not uploads:
            return _page(token, error="Choose one or more files to import.")
        if (request.content_length or 0) > MAX_UPLOAD:
            return _page(token, error="The files are over 20 MB together; import fewer at once.")
        _clear_old(_staging(folder))
        stage = secrets.token_urlsafe(18)
        staged = _staging(folder) / stage
        sources = Path(tempfile.mkdtemp(prefix="clinical-course-upload-"))
        try:
            paths = []
            for upload in uploads:
                name = _SAFE.sub("_", Path(upload.filename or "source").name).lstrip(".")
                path = sources / (name or "source")
                upload.save(path)
                paths.append(path)
            fmt = request.form.get("format") or None
            staged.mkdir(parents=True)
            result = import_sources(paths, staged, fmt=fmt if fmt in NAMES else None)
        except (CourseError, OSError) as error:  # (OSError: the upload could not be kept)
            shutil.rmtree(staged, ignore_errors=True)
            return _page(token, error=f"The files could not be imported: {error}")
        finally:
            shutil.rmtree(sources, ignore_errors=True)
        preview = {
            "cases": [
                {"name": path.name, "kept": kept(draft), "left_out": left_out(draft)}
                for path, draft in result.written.files
            ],
            "problems": result.problems[:50],
            "more": max(0, len(result.problems) - 50),
            "invalid": [invalid.report() for invalid in result.written.invalid],
        }
        return _page(token, preview=preview, stage=stage if result.written.files else "")

    @server.post("/import/<stage>")
    def import_write(stage: str) -> Response:
        if (refusal := gate.refusal(form_token=request.form.get("token", ""))) is not None:
            return refusal
        staged = _staging(folder) / stage
        if not _STAGE.match(stage) or not staged.is_dir():
            return _page(token, error="This preview has expired; import the files again.")
        written = []
        for path in sorted(staged.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            for number in range(1, 1000):
                name = path.name if number == 1 else f"{path.stem}-{number}{path.suffix}"
                if not (folder / name).exists():
                    try:
                        written.append(create(folder, name, text, gate.who(), "import"))
                    except SaveError:
                        if not (folder / name).exists():  # (not taken meanwhile: refused)
                            break
                        continue
                    break
        shutil.rmtree(staged, ignore_errors=True)
        library.catalogue.update(path.name for path in written)
        return redirect("/", 303)  # type: ignore[return-value]


__all__ = ["add_import_routes"]
