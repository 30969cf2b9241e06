"""Series outputs: images through the same writer as cases, pages, JSON and the render command."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.export import ExportError
from dashboard.export.series import save_series
from dashboard.series.load import load_series
from tests.conftest import TIMELINES
from tests.synth import write_series

DATA = Path(__file__).parent / "data" / "series"
FIGURE1 = TIMELINES / "nomura-2025-figure1.series.yaml"
PAGE_MM, PAGE_PX = 180, 2126  # 180 mm at 300 dpi
TALLEST_MM = 240


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_two_panel_page_figure_fits_a_page(tmp_path: Path) -> None:
    loaded = load_series(FIGURE1)
    png = save_series(loaded, tmp_path / "figure1.png", view="panels", size="page")
    width, height = png_size(png.read_bytes())
    assert width == PAGE_PX
    assert height / 300 * 25.4 <= TALLEST_MM
    assert height / 300 * 25.4 > 150  # two full panels, not a squashed strip
    pdf = save_series(loaded, tmp_path / "figure1.pdf", view="panels", size="page").read_bytes()
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert pdf[:4] == b"%PDF" and box is not None
    assert float(box.group(1)) / 72 * 25.4 == pytest.approx(PAGE_MM, abs=0.5)
    assert float(box.group(2)) / 72 * 25.4 <= TALLEST_MM
    svg = save_series(loaded, tmp_path / "figure1.svg", view="panels", size="page").read_text()
    assert re.search(rf'<svg\b[^>]*\swidth="{PAGE_MM}\.00mm"', svg)
    assert "(a) Case 1" in svg and "(b) Case 2" in svg


def test_series_view_image_and_json(tmp_path: Path) -> None:
    loaded = load_series(DATA / "il6.series.yaml")
    png = save_series(loaded, tmp_path / "view.png", size="1200x700")
    assert png_size(png.read_bytes()) == (1200, 700)
    spec = json.loads(save_series(loaded, tmp_path / "view.json", sort="id").read_text())
    assert spec["layout"]["meta"]["rows"] == ["delta", "alpha", "beta"]  # grouped, then by id


def test_series_page_escapes_and_links(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("alpha.yaml", "beta.yaml"):
        (folder / name).write_text((DATA / name).read_text())
    (folder / "x.series.yaml").write_text(
        'title: "<script>window.__pwned = 1</script> & co"\n'
        "summary: <b>not bold</b>\n"
        "align: {by: treatment, match: {class: IL-6 receptor antibody}}\n"
    )
    loaded = load_series(folder / "x.series.yaml")
    html = save_series(loaded, tmp_path / "x.html", link=lambda case: f"{case}.html").read_text()
    assert "<script>window.__pwned = 1</script>" not in html  # in the JSON, </ is escaped
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert '<th scope="row"><a href="alpha.html">alpha</a></th><td>400</td>' in html
    assert '<th scope="row">all</th>' in html


def test_wrong_options_are_refused(tmp_path: Path) -> None:
    loaded = load_series(DATA / "il6.series.yaml")
    with pytest.raises(ExportError, match=r"cannot tell the format of 'x\.txt'"):
        save_series(loaded, tmp_path / "x.txt")
    with pytest.raises(ExportError, match="sort apply to the series view, not to the panels"):
        save_series(loaded, tmp_path / "x.html", view="panels", sort="id")
    with pytest.raises(ExportError, match="a size applies to images"):
        save_series(loaded, tmp_path / "x.html", size="page")


def test_render_command_draws_a_series(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "il6.svg"
    series = str(DATA / "il6.series.yaml")
    result = runner.invoke(
        cli, ["render", series, "-o", str(out), "--sort", "relapses", "--group", "none"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<svg") or b"<svg" in out.read_bytes()[:400]
    assert "left out, as their files have problems: broken" in result.stderr
    result = runner.invoke(
        cli, ["render", series, "-o", str(tmp_path / "p.html"), "--view", "panels", "--sort", "id"]
    )
    assert result.exit_code == 1
    assert "--sort, --group and --axis go with --view series" in result.stderr
    result = runner.invoke(
        cli,
        ["render", str(DATA / "alpha.yaml"), "-o", str(tmp_path / "a.html"), "--view", "panels"],
    )
    assert result.exit_code == 1
    assert "go with a series file" in result.stderr
    result = runner.invoke(
        cli,
        [
            "render",
            str(DATA.parent / "series-invalid" / "no-match.series.yaml"),
            "-o",
            str(tmp_path / "n.html"),
        ],
    )
    assert result.exit_code == 1 and "align.match: no case of the series" in result.stderr


def test_site_has_a_page_per_series_linked_both_ways(tmp_path: Path, open_page: Any) -> None:
    from dashboard.export.site import export_site

    folder = tmp_path / "cases"
    folder.mkdir()
    for path in DATA.iterdir():
        (folder / path.name).write_text(path.read_text())
    export_site(folder, tmp_path / "site")
    site = tmp_path / "site"
    index = (site / "index.html").read_text()
    assert '<a href="series/il6.html">aligned rows</a>' in index
    assert '<a href="series/il6-panels.html">panels (a), (b), …</a>' in index
    assert sorted(p.name for p in (site / "series").iterdir()) == [
        "il6-panels.html",
        "il6.html",
        "second-attack.html",
        "window.html",
    ]
    page, problems = open_page()
    page.goto((site / "series" / "il6.html").as_uri())
    page.wait_for_function("document.querySelector('#course-chart .main-svg') !== null")
    rows = page.evaluate("document.getElementById('course-chart').layout.meta.rows")
    assert rows == ["delta", "beta", "alpha"]
    hrefs = page.eval_on_selector_all(
        "#course-chart .textpoint a",
        "links => links.map(a => a.getAttribute('href')"
        " || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))",
    )
    assert hrefs == ["../case/delta.html", "../case/beta.html", "../case/alpha.html"]
    page.locator("#course-chart .textpoint a").nth(2).dispatch_event("click")
    page.wait_for_url("**/case/alpha.html")
    page.go_back()
    page.locator("table.outcomes").get_by_role("link", name="beta", exact=True).click()
    page.wait_for_url("**/case/beta.html")
    assert page.title() == "Beta – satralizumab stopped"
    problems.assert_clean()


COLUMN_MM, COLUMN_PX = 85, 1004  # 85 mm at 300 dpi


@pytest.mark.parametrize("size", ["column", "page"])
def test_series_view_images_never_pass_240_mm(tmp_path: Path, size: str) -> None:
    width_mm, width_px = {"column": (COLUMN_MM, COLUMN_PX), "page": (PAGE_MM, PAGE_PX)}[size]
    runner = CliRunner()
    heights = {}
    for rows in (30, 300):
        series = write_series(tmp_path / f"rows-{rows}", rows)
        png = tmp_path / f"{rows}-{size}.png"
        result = runner.invoke(cli, ["render", str(series), "-o", str(png), "--size", size])
        assert result.exit_code == 0, result.output
        squeezed = f"{series}: warning: {rows} rows do not fit at a legible"
        assert (squeezed in result.stderr) == (rows == 300), result.stderr
        width, height = png_size(png.read_bytes())
        assert width == width_px
        heights[rows] = height / 300 * 25.4
        pdf = save_series(load_series(series), tmp_path / f"{rows}-{size}.pdf", size=size)
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf.read_bytes())
        assert box is not None
        assert float(box.group(1)) / 72 * 25.4 == pytest.approx(width_mm, abs=0.5)
        assert float(box.group(2)) / 72 * 25.4 == pytest.approx(heights[rows], abs=0.5)
    # 30 rows keep legible rows: taller than the size's usual height where they need it,
    # never more than 240 mm; 300 rows take the whole 240 mm, with thinner rows
    if size == "column":
        assert width_mm * 1.4 < heights[30] < TALLEST_MM
    else:
        assert heights[30] == pytest.approx(width_mm, abs=0.2)
    assert TALLEST_MM - 1 < heights[300] <= TALLEST_MM


def test_a_slide_keeps_its_size_however_many_rows(tmp_path: Path) -> None:
    series = load_series(write_series(tmp_path / "rows", 300))
    messages: list[str] = []
    png = save_series(series, tmp_path / "slide.png", size="slide", warn=messages.append)
    assert png_size(png.read_bytes()) == (1920, 1080)
    (message,) = messages
    assert message.startswith("300 rows do not fit at a legible 29 px each: drawn 3 px apart")
    assert "only every 10th case is named" in message
