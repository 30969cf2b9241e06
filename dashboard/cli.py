"""The `clinical-course` command: turns domain errors into messages and exit codes.

A `CourseError` (a problem in the user's files or options) is said in their words, with exit
status 1. Anything else is a bug: said to be one in a line, with how to see its traceback
(`--debug`, or CLINICAL_COURSE_DEBUG=1), and exit status 2.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from dashboard import __version__
from dashboard.cli_import import date_key, import_, secret_option, table, template
from dashboard.dates import DATE_VIEWS, DATES_HELP, DatePolicy
from dashboard.load import case_paths, expand_paths, load_case
from dashboard.model import LANGUAGES
from dashboard.model.views import AXES, AXIS_SPANS, GROUPS, SERIES_VIEWS, SORTS, THEMES
from dashboard.problems import (
    CourseError,
    FigureWarning,
    InvalidCase,
    names_case_file,
    output_suffix,
    writing,
)

DEBUG_VARIABLE = "CLINICAL_COURSE_DEBUG"


def _fail(message: str) -> None:
    raise click.ClickException(message)


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on the terminal (none when output goes to a file or a pipe)."""
    if not sys.stderr.isatty():  # click would still print the label
        yield lambda _: None
        return
    with click.progressbar(
        length=total, label=label, file=sys.stderr, show_pos=True, width=30
    ) as bar:
        yield bar.update


def _dates_option(function: Any) -> Any:
    return click.option(
        "--dates",
        type=click.Choice(DATE_VIEWS),
        default="exact",
        show_default=True,
        help=DATES_HELP,
    )(function)


def _language_option(function: Any) -> Any:
    return click.option(
        "--language",
        type=click.Choice(tuple(LANGUAGES)),
        help="The language of the words the program adds (axis titles, legend, caption, "
        "slides), over the case file's `language`.",
    )(function)


def _date_policy(dates: str, secret: str | None) -> DatePolicy:
    """How this command shows dates: the view asked for, shifted by the key of `secret`."""
    return DatePolicy.of(dates, date_key(secret, dates == "shifted"))


def _in_language(case: Any, language: str | None) -> Any:
    return case if language is None else case.model_copy(update={"language": language})


def _check_axis(axis: str | None, dates: str) -> None:
    if axis == "date" and dates in ("coarse", "hidden"):
        _fail(
            f"--axis date shows calendar dates, which --dates {dates} leaves out; "
            "choose --axis day, week, month or year"
        )


def _read_case(path: Path) -> Any:
    return _read(load_case, path)


def _read(load: Callable[[Path], Any], path: Path) -> Any:
    """The file as `load` reads it; its problems printed and exit 1 when it has any."""
    try:
        return load(path)
    except InvalidCase as invalid:
        click.echo(invalid.report(), err=True)
        raise click.exceptions.Exit(1) from None


class _Commands(click.Group):
    """The commands, each run so that a user's error is said as a message and a bug as a
    bug: its traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command asked for; its errors said as the module's docstring tells."""
        try:
            return super().invoke(ctx)
        except InvalidCase as invalid:
            click.echo(invalid.report(), err=True)
            raise click.exceptions.Exit(1) from None
        except CourseError as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                traceback.print_exc()
            else:
                click.echo(
                    f"clinical-course: unexpected problem, a bug in clinical-course (not in "
                    f"your files): {type(error).__name__}: {error}\n"
                    "To see where it happened, run the command again with --debug (or set "
                    f"{DEBUG_VARIABLE}=1), and please report it with the command you ran.",
                    err=True,
                )
            raise click.exceptions.Exit(2) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clinical-course")
@click.option(
    "--debug",
    is_flag=True,
    envvar=DEBUG_VARIABLE,
    help=f"Show the traceback of an unexpected problem (or set {DEBUG_VARIABLE}=1).",
)
def cli(debug: bool) -> None:
    """Clinical-course figures from YAML case files: check them, render them, serve them."""
    # A figure drawn with something a reader would notice is still written, and said on
    # the terminal each time, not once per line of code as Python's default does.
    warnings.filterwarnings("always", category=FigureWarning)
    _say_warnings()


def _say_warnings() -> None:
    """The product's own warnings (a size too low for a course, texts that overlap in a
    drawing) as one line each on the terminal, not as Python prints them."""
    shown = warnings.showwarning
    said: set[str] = set()  # a deck's steps or a figure's layouts may say the same twice

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if category.__module__.startswith("dashboard."):
            if str(message) not in said:
                said.add(str(message))
                click.echo(f"clinical-course: warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check case and series files (or folders); print every problem with its file:line."""
    from dashboard.catalogue.check import check_paths
    from dashboard.series.load import load_series_paths

    files = sum(1 for _ in expand_paths(paths))
    with _progress(files, "Checking") as advance:
        catalog = check_paths(paths, progress=advance)
    series, invalid_series = load_series_paths(_series_files(paths))
    for error in catalog.errors:
        click.echo(str(error))
    for problem in invalid_series:
        click.echo(problem.report())
    valid = len(catalog.valid) + len(series)
    invalid = len(catalog.invalid) + len(invalid_series)
    if valid + invalid == 0:
        _fail("no case files (*.yaml, *.yml) found in " + ", ".join(map(str, paths)))
    if invalid:
        problems = len(catalog.errors) + sum(len(item.errors) for item in invalid_series)
        click.echo(
            f"{invalid} of {valid + invalid} files have problems "
            f"({problems} problem{'s' * (problems != 1)}); {valid} valid.",
            err=True,
        )
        raise click.exceptions.Exit(1)
    cases = len(catalog.valid)
    said = f"{cases} case file{'s' * (cases != 1)}"
    if series:
        said += f" and {len(series)} series file{'s' * (len(series) != 1)}"
    click.echo(f"All {said} valid.", err=True)


def _series_files(paths: tuple[Path, ...]) -> list[Path]:
    from dashboard.load import is_series
    from dashboard.series.load import series_paths

    found: list[Path] = []
    for path in paths:
        found += series_paths(path) if path.is_dir() else [path] if is_series(path) else []
    return found


def _read_series(path: Path) -> Any:
    from dashboard.series.load import load_series

    return _read(load_series, path)


def _name_invalid(series: Any) -> None:
    if series.invalid:
        names = ", ".join(series.invalid)
        click.echo(f"{series.path}: left out, as their files have problems: {names}", err=True)


@cli.command()
@click.argument("series", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="outcomes.csv or outcomes.json; without it the table is printed.",
)
def outcomes(series: Path, output: Path | None) -> None:
    """Relapses and annualized relapse rates before and after the anchor of a series."""
    from dashboard.export.base import write_atomic
    from dashboard.series.outcomes import compute, table, to_csv, to_json, to_text

    loaded = _read_series(series)
    _name_invalid(loaded)
    rows = table(compute(loaded))
    if output is None:
        click.echo(to_text(rows))
        return
    suffix = output_suffix(output, (".csv", ".json"), "use .csv or .json")
    write_atomic(output, to_csv(rows) if suffix == ".csv" else to_json(rows))
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
def schema(output: Path | None) -> None:
    """Print the case file format as JSON Schema (for editor completion and checking)."""
    from dashboard.model.schema import json_schema

    schema = json_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    if names_case_file(output):
        _fail(
            f"{output} would be a case file's name; refusing to write the schema there "
            "(write it to a .json file such as case.schema.json)"
        )
    if output.exists() and not _is_schema(output, schema["title"]):
        _fail(
            f"{output} exists and is not a schema this command wrote; refusing to write over "
            "it (choose another file, or delete that one first)"
        )
    with writing(output):
        output.write_text(text, encoding="utf-8")


def _is_schema(path: Path, title: str) -> bool:
    """True when `path` holds a case schema written by `schema -o` (any version)."""
    try:
        written = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(written, dict) and written.get("title") == title


SIZES_HELP = (
    "slide (1920x1080), column (85 mm wide), page (180 mm wide), WxHmm millimetres "
    "(180x120mm) or WxH pixels"
)


@dataclass(frozen=True, slots=True)
class _Look:
    """How a figure is drawn, as the options of `render` say: its look, axis and size."""

    theme: str | None
    axis: str | None
    size: str | None
    height_mm: float | None
    dpi: int | None

    @classmethod
    def of(
        cls,
        *,
        theme: str | None,
        axis: str | None,
        size: str | None,
        height_mm: float | None,
        dpi: str | None,
    ) -> _Look:
        """The options as click gives them (the resolution as written)."""
        return cls(theme, axis, size, height_mm, int(dpi) if dpi else None)

    def keywords(self) -> dict[str, Any]:
        """The look as keyword arguments of the savers."""
        return {
            "theme": self.theme,
            "size": self.size,
            "height_mm": self.height_mm,
            "dpi": self.dpi,
        }


def _look_options(function: Any) -> Any:
    """The options every figure `render` draws shares: --theme, --axis, --size, --height,
    --dpi (gathered into a `_Look`)."""
    options = [
        click.option(
            "--theme",
            type=click.Choice(THEMES),
            default=None,
            help="The look; images default to print for column and page sizes, slides for slide.",
        ),
        click.option("--axis", type=click.Choice(AXES), help="Time axis unit, or calendar dates."),
        click.option("--size", help=f"Image size: {SIZES_HELP}."),
        click.option(
            "--height",
            "height_mm",
            type=float,
            help="Height in mm for column and page sizes (else as tall as the rows need, at most "
            "1.4x the width in a column, 1x on a page, 240 mm).",
        ),
        click.option(
            "--dpi",
            type=click.Choice(["300", "600", "1000"]),
            help="Resolution of print-size PNG and TIFF files (default 300 for PNG, 600 for TIFF).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _series_options(function: Any) -> Any:
    """The options that go with a series file only: --view, --sort, --group."""
    options = [
        click.option(
            "--view",
            type=click.Choice(SERIES_VIEWS),
            help="With a series: one aligned row per case (series, the default) or the cases' "
            "figures stacked as panels (a), (b), ...",
        ),
        click.option(
            "--sort", type=click.Choice(SORTS), help="With a series: the order of the rows."
        ),
        click.option("--group", type=click.Choice(GROUPS), help="With a series: group the rows."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@click.argument("case", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write; its suffix sets the format: .html, .json, .png, .tif, .svg or .pdf. "
    "For a folder of cases, the folder to write into.",
)
@_look_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "tif", "svg", "pdf", "html", "json"]),
    help="With a folder of cases: the format of each file.",
)
@_series_options
@_dates_option
@secret_option
@_language_option
def render(
    case: Path,
    output: Path,
    fmt: str | None,
    view: str | None,
    sort: str | None,
    group: str | None,
    dates: str,
    secret: str | None,
    language: str | None,
    **look: Any,
) -> None:
    """Render a case, a series or a folder of cases to a page, the figure's JSON, or an image."""
    from dashboard.load import is_series

    drawing = _Look.of(**look)
    _check_axis(drawing.axis, dates)
    policy = _date_policy(dates, secret)
    if is_series(case):
        _render_series(case, output, drawing, view, sort, group, policy)
        return
    if view or sort or group:
        _fail("--view, --sort and --group go with a series file (*.series.yaml)")
    if case.is_dir():
        _render_folder(case, output, drawing, fmt or "png", policy)
    else:
        _render_case(case, output, drawing, policy, language)


def _render_case(
    path: Path, output: Path, drawing: _Look, dates: DatePolicy, language: str | None
) -> None:
    """One case file to one file, in the format of its suffix."""
    from dashboard.export import FORMATS, save

    output_suffix(output, FORMATS)  # before the case is read
    loaded = _in_language(dates.apply(_read_case(path)), language)
    written = save(loaded, output, axis=drawing.axis, **drawing.keywords())
    click.echo(f"Wrote {written}", err=True)


def _render_folder(folder: Path, output: Path, drawing: _Look, fmt: str, dates: DatePolicy) -> None:
    """Every case of a folder to a file each in `output`; exit 1 when some are invalid."""
    from dashboard.export import render_folder

    with _progress(len(case_paths(folder)), "Rendering") as advance:
        report = render_folder(
            folder,
            output,
            fmt=fmt,
            axis=drawing.axis,
            dates=dates,
            progress=advance,
            **drawing.keywords(),
        )
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    click.echo(f"Wrote {len(report.written)} files to {output}", err=True)
    if report.invalid:
        raise click.exceptions.Exit(1)


def _render_series(
    path: Path,
    output: Path,
    drawing: _Look,
    view: str | None,
    sort: str | None,
    group: str | None,
    dates: DatePolicy,
) -> None:
    """A series file as its aligned rows or its panels, in the format of the suffix."""
    from dashboard.export.series import FORMATS, save_series
    from dashboard.series.load import series_with_dates

    output_suffix(output, FORMATS)  # before the series is read
    axis = drawing.axis
    if axis == "date":
        _fail("a series is drawn in days, weeks, months or years from its anchor, not dates")
    loaded = _read_series(path)
    _name_invalid(loaded)
    loaded = series_with_dates(loaded, dates)
    if view == "panels" and (sort or group or axis):
        _fail("--sort, --group and --axis go with --view series; the panels keep each case's own")
    written = save_series(
        loaded,
        output,
        view=view,
        sort=sort,
        group=group,
        axis=axis,
        warn=lambda message: click.echo(f"{path}: warning: {message}", err=True),
        **drawing.keywords(),
    )
    click.echo(f"Wrote {written}", err=True)


@cli.command()
@click.argument(
    "folder", default="timelines", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8050, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes; about one per CPU core for many users.",
)
@_dates_option
@click.option(
    "--edit",
    is_flag=True,
    help="Let the cases be written and created in the browser (off unless given).",
)
@secret_option
@click.option(
    "--user-header",
    metavar="HEADER",
    help="With --edit behind a reverse proxy that signs users in: the header carrying their "
    "user name, trusted as signed in (only the proxy must be able to reach this server).",
)
def serve(
    folder: Path,
    host: str,
    port: int,
    workers: int,
    dates: str,
    edit: bool,
    secret: str | None,
    user_header: str | None,
) -> None:
    """Open the dashboard on a folder of case files (timelines/ by default).

    Edits to the files show in open pages within seconds. Stop it with Ctrl+C.
    """
    from dashboard.app import serve as run
    from dashboard.app.editing import editing_for
    from dashboard.app.server import is_loopback

    editing = editing_for(host, is_loopback(host), secret, user_header) if edit else None
    policy = _date_policy(dates, secret)

    click.echo(
        f"clinical-course: starting the dashboard for {folder} on http://{host}:{port}/", err=True
    )
    if not is_loopback(host):
        click.echo(
            f"clinical-course: warning: --host {host} lets other machines open these cases, "
            "with no login and no encryption; to share them, keep 127.0.0.1 and put a web "
            "server with TLS and a login in front (see the README)",
            err=True,
        )
    run(folder, host=host, port=port, workers=workers, dates=policy, editing=editing)


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The site folder to write (created; only a folder this command made is replaced).",
)
@click.option(
    "--theme",
    type=click.Choice(THEMES),
    default="screen",
    show_default=True,
    help="The look of every page's chart.",
)
@_dates_option
@secret_option
def export(folder: Path, output: Path, theme: str, dates: str, secret: str | None) -> None:
    """Export a folder of cases as a static site that works offline and on any web host."""
    from dashboard.export.site import export_site

    policy = _date_policy(dates, secret)
    with _progress(len(case_paths(folder)), "Exporting") as advance:
        report = export_site(folder, output, theme=theme, dates=policy, progress=advance)
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    skipped = f"; skipped {len(report.invalid)} invalid files" if report.invalid else ""
    pages = sum(name.startswith("case/") for name in report.written)
    unchanged = len(report.cases) - pages
    kept = f" ({pages} built, {unchanged} unchanged)" if unchanged else ""
    click.echo(f"Wrote {len(report.cases)} case pages to {output}{kept}{skipped}", err=True)


@cli.command()
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="deck.html (a self-contained slide show) or deck.pptx (PowerPoint).",
)
@click.option(
    "--axis-span",
    type=click.Choice(AXIS_SPANS),
    help="Each step's time axis: the whole course, or from its start to a little after the "
    "step (early steps readable); default: the case's teaching.axis, else course.",
)
@_dates_option
@secret_option
@_language_option
def present(
    case: Path,
    output: Path,
    axis_span: str | None,
    dates: str,
    secret: str | None,
    language: str | None,
) -> None:
    """Make a step-by-step teaching presentation of a case (.html or .pptx)."""
    from dashboard.export.deck import DECK_FORMATS, save_deck

    output_suffix(output, *DECK_FORMATS)  # before the case is read
    loaded = _in_language(_date_policy(dates, secret).apply(_read_case(case)), language)
    written = save_deck(loaded, output, case_id=case.stem, axis_span=axis_span)
    click.echo(f"Wrote {written}", err=True)


cli.add_command(import_)
cli.add_command(template)
cli.add_command(table)


def main() -> None:
    """Run the command (its errors are said as the module's docstring tells)."""
    cli.main(prog_name="clinical-course")
