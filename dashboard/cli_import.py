"""The `import`, `template` and `table` commands: case files from other people's data, and back."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import click

from dashboard.dates import SECRET_HELP, SECRET_VARIABLE, DateKey
from dashboard.importers import FORMATS
from dashboard.importers.build import DateMode, Options
from dashboard.importers.rows import Reading
from dashboard.model.localdates import DATE_ORDERS, DateOrder
from dashboard.problems import output_suffix, writing


def secret_option(function: Any) -> Any:
    """The `--secret` option: the key of shifted dates (and of signing in to edit)."""
    return click.option("--secret", envvar=SECRET_VARIABLE, help=SECRET_HELP)(function)


def date_key(secret: str | None, shifting: bool) -> DateKey:
    """The key dates are shifted by; without a secret, said to be this run's alone."""
    if shifting and not secret:
        click.echo(
            "clinical-course: note: dates are shifted by days made for this run alone; give "
            "--secret (or set CLINICAL_COURSE_SECRET) to shift a case the same way every time",
            err=True,
        )
    return DateKey.from_secret(secret)


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the case files into (not the folder of the sources).",
)
@click.option(
    "--from",
    "fmt",
    type=click.Choice(FORMATS),
    help="The source format; guessed from each file's content when left out.",
)
@click.option(
    "--day0",
    help="Day 0: a date (2015-04-01), or the first condition or event matching a text or "
    "code (condition:NMOSD, condition:G36.0).",
)
@click.option("--patient", "patients", multiple=True, help="Import only this patient (repeatable).")
@click.option(
    "--only",
    multiple=True,
    help="Keep only these record types or codes (Observation, EX, TREATMENT, 718-7).",
)
@click.option("--skip", multiple=True, help="Leave out these record types or codes.")
@click.option("--keep-dates", is_flag=True, help="Keep calendar dates (de-identified: dropped).")
@click.option(
    "--shift-dates",
    is_flag=True,
    help="Keep dates, each patient's moved by one number of days made from --secret "
    "(for this run alone without it), recorded nowhere.",
)
@click.option("--coarse-dates", is_flag=True, help="Give day 0 only as early, mid or late month.")
@click.option(
    "--date-order",
    type=click.Choice(DATE_ORDERS),
    help="The order of a spreadsheet's dates such as 01/02/2021 when no day above 12 shows "
    "it: dmy (1 February), mdy (2 January); ymd (2021/02/01) refuses others.",
)
@click.option(
    "--encoding",
    help="The text encoding of .csv and .txt sources (cp1252, cp932, utf-16, ...) when the "
    "one found is wrong.",
)
@click.option(
    "--existing",
    type=click.Choice(["rename", "stop"]),
    default="rename",
    show_default=True,
    help="When a case file exists: write name-2.yaml beside it, or stop before writing.",
)
@secret_option
def import_(
    sources: tuple[Path, ...],
    output: Path,
    fmt: str | None,
    day0: str | None,
    patients: tuple[str, ...],
    only: tuple[str, ...],
    skip: tuple[str, ...],
    keep_dates: bool,
    shift_dates: bool,
    coarse_dates: bool,
    date_order: DateOrder | None,
    encoding: str | None,
    existing: str,
    secret: str | None,
) -> None:
    """Make case files from a spreadsheet, cBioPortal timelines, CDISC tables or FHIR exports.

    One case file per patient, de-identified: no names, identifiers, addresses or birth
    dates, and times as days from day 0 unless --keep-dates or --shift-dates.
    """
    from dashboard.importers import import_sources
    from dashboard.importers.writer import kept, left_out, relative

    if sum((keep_dates, shift_dates, coarse_dates)) > 1:
        raise click.UsageError("choose one of --keep-dates, --shift-dates and --coarse-dates")
    dates: DateMode = "relative"
    modes: tuple[tuple[bool, DateMode], ...] = (
        (keep_dates, "keep"),
        (shift_dates, "shift"),
        (coarse_dates, "coarse"),
    )
    for flag, mode in modes:
        if flag:
            dates = mode
    key = date_key(secret, dates == "shift")
    options = Options(day0=day0, dates=dates, only=only, skip=skip, key=key)
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise click.BadParameter(
                f"{encoding!r} is not an encoding Python knows (cp1252, cp932, utf-16, ...)",
                param_hint="--encoding",
            ) from None
    result = import_sources(
        sources,
        output,
        fmt=fmt,
        options=options,
        patients=patients,
        existing="stop" if existing == "stop" else "rename",
        reading=Reading(date_order=date_order, encoding=encoding),
    )
    for problem in result.problems[:50]:
        click.echo(problem, err=True)
    if len(result.problems) > 50:
        click.echo(f"... and {len(result.problems) - 50} more problems", err=True)
    for note in result.notes:
        click.echo(note, err=True)
    for path, draft in result.written.files:
        line = f"{relative(path)}: kept {kept(draft)}"
        if draft.key and draft.key != draft.name:  # (the terminal's only: to find it again)
            line = f"{relative(path)} ({draft.key}): kept {kept(draft)}"
        if draft.dropped:
            line += f"; left out {left_out(draft)}"
        click.echo(line, err=True)
        if draft.hint:
            click.echo(f"{relative(path)}: {draft.hint}", err=True)
    for invalid in result.written.invalid:  # (placed in the text the file would have had)
        click.echo(invalid.report(), err=True)
        click.echo(f"{relative(Path(invalid.path))}: not written: the case above breaks the "
                   "case format (fix the source and import again)", err=True)  # fmt: skip
    written = len(result.written.files)
    if not written and not result.problems and not result.written.invalid:
        books = any(path.suffix.lower() in (".xlsx", ".xlsm") for path in sources)
        hint = " (a workbook is read from its 'cases' sheet; 'example' is only an example)"
        shown = ", ".join(map(str, sources))
        click.echo(f"found no case, patient or subject with rows to import in {shown}"
                   + hint * books, err=True)  # fmt: skip
    click.echo(f"Wrote {written} case file{'s' * (written != 1)} to {output}", err=True)
    if result.problems or result.written.invalid or not written:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def template(output: Path) -> None:
    """Write an empty case table (.xlsx) with a filled example and a sheet on each column."""
    from dashboard.importers.spreadsheet import write_template

    _refuse_existing(output)
    write_template(output)
    click.echo(
        f"Wrote {output}: fill in the 'cases' sheet, then run clinical-course import", err=True
    )


@click.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="cases.xlsx or cases.csv",
)
def table(cases: tuple[Path, ...], output: Path) -> None:
    """Write case files (or folders of them) as one case table (.xlsx or .csv)."""
    from dashboard.importers.spreadsheet import TABLE_FORMATS, write_table
    from dashboard.load import load_paths

    output_suffix(output, *TABLE_FORMATS)  # before the cases are read
    _refuse_existing(output)  # (it may be the spreadsheet the cases came from)
    catalog = load_paths(cases)
    for invalid in catalog.invalid:
        click.echo(invalid.report(), err=True)
    if not catalog.cases:
        raise click.ClickException("no valid case files to write")
    with writing(output.parent):
        output.parent.mkdir(parents=True, exist_ok=True)  # (as import, render and export do)
    rows = write_table([(f.id, f.case) for f in catalog.cases.values()], output)
    count = len(catalog.cases)
    click.echo(f"Wrote {count} case{'s' * (count != 1)} ({rows} rows) to {output}", err=True)
    if catalog.invalid:
        raise click.exceptions.Exit(1)


def _refuse_existing(output: Path) -> None:
    """Stop before writing over a file or through a symbolic link (one pointing nowhere too:
    writing would create its target, wherever that is)."""
    if output.exists():
        raise click.ClickException(
            f"{output} exists; refusing to write over it (name another file, or remove it first)"
        )
    if output.is_symlink():
        raise click.ClickException(
            f"{output} is a symbolic link; refusing to write through it (name another file)"
        )
