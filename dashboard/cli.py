"""The `clinical-course` command: turns domain errors into messages and exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from dashboard import __version__
from dashboard.cli_import import import_, table, template
from dashboard.dates import DATE_VIEWS, DATES_HELP, with_dates
from dashboard.load import load_case, load_paths
from dashboard.problems import InvalidCase

THEMES = ("screen", "print", "slides")
AXES = ("day", "week", "month", "year", "date")


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _dates_option(function: Any) -> Any:
    return click.option(
        "--dates",
        type=click.Choice(DATE_VIEWS),
        default="exact",
        show_default=True,
        help=DATES_HELP,
    )(function)


def _check_axis(axis: str | None, dates: str) -> None:
    if axis == "date" and dates in ("coarse", "hidden"):
        _fail(
            f"--axis date shows calendar dates, which --dates {dates} leaves out; "
            "choose --axis day, week, month or year"
        )


def _read_case(path: Path) -> Any:
    try:
        return load_case(path)
    except InvalidCase as invalid:
        click.echo(invalid.report(), err=True)
        raise click.exceptions.Exit(1) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clinical-course")
def cli() -> None:
    """Clinical-course figures from YAML case files: check them, render them, serve them."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check case files (or folders of them); print every problem with its file:line."""
    catalog = load_paths(paths)
    for error in catalog.errors:
        click.echo(str(error))
    valid, invalid = len(catalog.cases), len(catalog.invalid)
    if valid + invalid == 0:
        _fail("no case files (*.yaml, *.yml) found in " + ", ".join(map(str, paths)))
    if invalid:
        problems = len(catalog.errors)
        click.echo(
            f"{invalid} of {valid + invalid} files have problems "
            f"({problems} problem{'s' * (problems != 1)}); {valid} valid.",
            err=True,
        )
        raise click.exceptions.Exit(1)
    click.echo(f"All {valid} case file{'s' * (valid != 1)} valid.", err=True)


@cli.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
def schema(output: Path | None) -> None:
    """Print the case file format as JSON Schema (for editor completion and checking)."""
    from dashboard.model.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


SIZES_HELP = "slide (1920x1080), column (85 mm at 300 dpi), page (180 mm at 300 dpi) or WxH pixels"


@cli.command()
@click.argument("case", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write; its suffix sets the format: .html, .json, .png, .svg or .pdf. "
    "For a folder of cases, the folder to write into.",
)
@click.option(
    "--theme",
    type=click.Choice(THEMES),
    default=None,
    help="The look; images default to print for column and page sizes, slides for slide.",
)
@click.option("--axis", type=click.Choice(AXES), help="Time axis unit, or calendar dates.")
@click.option("--size", help=f"Image size: {SIZES_HELP}.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf", "html", "json"]),
    help="With a folder of cases: the format of each file.",
)
@_dates_option
def render(
    case: Path,
    output: Path,
    theme: str | None,
    axis: str | None,
    size: str | None,
    fmt: str | None,
    dates: str,
) -> None:
    """Render a case (or a folder of cases) to a page, the figure's JSON, or an image."""
    from dashboard.export import ExportError, render_folder, save

    _check_axis(axis, dates)
    try:
        if case.is_dir():
            report = render_folder(
                case, output, fmt=fmt or "png", theme=theme, axis=axis, size=size, dates=dates
            )
            for invalid in report.invalid:
                click.echo(invalid.report(), err=True)
            click.echo(f"Wrote {len(report.written)} files to {output}", err=True)
            if report.invalid:
                raise click.exceptions.Exit(1)
            return
        if output.suffix.lower() in (".yaml", ".yml"):
            _fail(f"{output} looks like a case file; refusing to write over it")
        loaded = with_dates(_read_case(case), dates)
        written = save(loaded, output, theme=theme, axis=axis, size=size)
    except (ExportError, ValueError) as error:
        _fail(str(error))
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
def serve(folder: Path, host: str, port: int, workers: int, dates: str) -> None:
    """Open the dashboard on a folder of case files (timelines/ by default).

    Edits to the files show in open pages within seconds. Stop it with Ctrl+C.
    """
    from dashboard.app import serve as run
    from dashboard.app.server import ServeError

    click.echo(
        f"clinical-course: starting the dashboard for {folder} on http://{host}:{port}/", err=True
    )
    try:
        run(folder, host=host, port=port, workers=workers, dates=dates)
    except ServeError as error:
        _fail(str(error))


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The site folder to write (created; only a folder this command made is replaced).",
)
@click.option("--theme", type=click.Choice(THEMES), default="screen", show_default=True)
@_dates_option
def export(folder: Path, output: Path, theme: str, dates: str) -> None:
    """Export a folder of cases as a static site that works offline and on any web host."""
    from dashboard.export import ExportError
    from dashboard.export.site import export_site

    try:
        report = export_site(folder, output, theme=theme, dates=dates)
    except ExportError as error:
        _fail(str(error))
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    skipped = f"; skipped {len(report.invalid)} invalid files" if report.invalid else ""
    click.echo(f"Wrote {len(report.cases)} case pages to {output}{skipped}", err=True)


@cli.command()
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="deck.html (a self-contained slide show) or deck.pptx (PowerPoint).",
)
@_dates_option
def present(case: Path, output: Path, dates: str) -> None:
    """Make a step-by-step teaching presentation of a case (.html or .pptx)."""
    from dashboard.export import ExportError
    from dashboard.export.deck import save_deck

    if output.suffix.lower() in (".yaml", ".yml"):
        _fail(f"{output} looks like a case file; refusing to write over it")
    loaded = with_dates(_read_case(case), dates)
    try:
        written = save_deck(loaded, output, case_id=case.stem)
    except (ExportError, ValueError) as error:
        _fail(str(error))
    click.echo(f"Wrote {written}", err=True)


cli.add_command(import_)
cli.add_command(template)
cli.add_command(table)


def main() -> None:
    """Run the command; an unexpected failure is reported in one line, never as a traceback."""
    try:
        cli.main(prog_name="clinical-course")
    except Exception as error:  # the last line of defence: users never see a traceback
        click.echo(f"clinical-course: unexpected problem: {error}", err=True)
        click.echo("Please report this, with the command you ran.", err=True)
        sys.exit(2)
