"""Images through kaleido and Debian's Chromium: formats, exact pixel sizes, one browser."""

from __future__ import annotations

import re
import shutil
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.export import ExportError, ImageRenderer, render_folder, save
from dashboard.export.images import SIZES, image_figure, parse_size
from dashboard.figure import FigureWarning
from dashboard.load import load_case
from tests.conftest import CASE_FILES, INVALID, TIMELINES

CASE = TIMELINES / "nomura-2025-case2.yaml"
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<svg", "pdf": b"%PDF"}
# size -> the PNG's (width, height); None where the height follows the figure's rows
PIXELS: dict[str, tuple[int, int | None]] = {
    "slide": (1920, 1080),
    "column": (1004, None),
    "page": (2126, None),
    "1600x900": (1600, 900),
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], bytes]:
    """Every size in every format, drawn with one browser."""
    folder = tmp_path_factory.mktemp("images")
    case = load_case(CASE)
    drawn = {}
    with ImageRenderer() as renderer:
        for size in PIXELS:
            for fmt in MAGIC:
                path = save(case, folder / f"{size}.{fmt}", size=size, renderer=renderer)
                drawn[size, fmt] = path.read_bytes()
    return drawn


@pytest.mark.parametrize("size", PIXELS)
@pytest.mark.parametrize("fmt", MAGIC)
def test_each_format_is_what_its_suffix_says(
    images: dict[tuple[str, str], bytes], size: str, fmt: str
) -> None:
    assert images[size, fmt].lstrip().startswith(MAGIC[fmt])


@pytest.mark.parametrize("size", PIXELS)
def test_png_has_the_promised_pixel_size(images: dict[tuple[str, str], bytes], size: str) -> None:
    width, height = png_size(images[size, "png"])
    promised_width, promised_height = PIXELS[size]
    assert width == promised_width
    if promised_height is not None:
        assert height == promised_height
    else:
        assert 300 < height < 4 * width  # a height from the figure's rows


@pytest.mark.parametrize(("size", "mm"), [("column", 85), ("page", 180)])
def test_print_sizes_set_the_page_size_of_svg_and_pdf(
    images: dict[tuple[str, str], bytes], size: str, mm: int
) -> None:
    svg = images[size, "svg"].decode("utf-8")
    assert re.search(rf'<svg\b[^>]*\swidth="{mm}\.00mm"', svg)
    media_box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", images[size, "pdf"])
    assert media_box is not None
    width_mm = float(media_box.group(1)) / 72 * 25.4
    assert width_mm == pytest.approx(mm, abs=0.5)


def test_print_sizes_default_to_the_print_theme_and_slides_to_the_slides_theme() -> None:
    case = load_case(CASE)
    assert parse_size(None) == SIZES["page"]
    assert parse_size(None, theme="slides") == SIZES["slide"]
    column = image_figure(case, SIZES["column"])
    assert column.layout.font.family.startswith('"Liberation Sans"')  # Arial's widths
    assert column.layout.width == SIZES["column"].width
    slide = image_figure(case, SIZES["slide"])
    assert (slide.layout.width, slide.layout.height) == (1920, 1080)
    assert slide.layout.font.size > column.layout.font.size
    explicit = image_figure(case, SIZES["column"], theme="screen")
    assert explicit.layout.font.size != column.layout.font.size


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("colum", "unknown size 'colum'; did you mean 'column'?"),
        ("poster", "unknown size 'poster'; expected slide (1920x1080)"),
        ("20x20", "size '20x20' is out of range"),
    ],
)
def test_a_wrong_size_says_what_would_be_right(size: str, message: str) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        parse_size(size)


def test_a_missing_browser_says_how_to_install_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(ExportError, match=r"install Chromium: apt-get install chromium"):
        save(load_case(CASE), tmp_path / "figure.png")
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExportError, match=r"none was found; install Chromium"):
        save(load_case(CASE), tmp_path / "figure.png")
    assert not (tmp_path / "figure.png").exists()


def test_a_size_for_a_page_or_an_unknown_suffix_is_refused(tmp_path: Path) -> None:
    case = load_case(CASE)
    with pytest.raises(ExportError, match="a size, height or dpi applies to images"):
        save(case, tmp_path / "case.html", size="column")
    with pytest.raises(ExportError, match=re.escape("cannot tell the format of 'case.gif'")):
        save(case, tmp_path / "case.gif")


@pytest.fixture
def cases_with_a_broken_file(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in CASE_FILES:
        shutil.copy(path, folder / path.name)
    shutil.copy(INVALID / "misspelt-kind.yaml", folder / "broken.yaml")
    yield folder


def test_a_folder_renders_with_one_browser_and_skips_a_broken_file(
    cases_with_a_broken_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[str] = []
    start = ImageRenderer._start

    async def counted(self: ImageRenderer, path: str) -> Any:
        starts.append(path)
        return await start(self, path)

    monkeypatch.setattr(ImageRenderer, "_start", counted)
    report = render_folder(cases_with_a_broken_file, tmp_path / "figures", fmt="png", size="column")
    assert len(starts) == 1
    assert sorted(path.name for path in report.written) == [f"{p.stem}.png" for p in CASE_FILES]
    for path in report.written:
        assert png_size(path.read_bytes())[0] == 1004
    assert [Path(bad.path).name for bad in report.invalid] == ["broken.yaml"]
    assert "did you mean 'relapse'?" in report.invalid[0].report()
    assert not (tmp_path / "figures" / "broken.png").exists()


def test_the_render_command_reports_a_broken_file_and_writes_the_rest(
    cases_with_a_broken_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "pages"
    result = CliRunner().invoke(
        cli, ["render", str(cases_with_a_broken_file), "-o", str(output), "--format", "html"]
    )
    assert result.exit_code == 1
    assert "broken.yaml:5:11: events[0].kind" in result.output
    assert f"Wrote {len(CASE_FILES)} files to {output}" in result.output
    assert sorted(path.name for path in output.iterdir()) == [f"{p.stem}.html" for p in CASE_FILES]


REALISTIC = sorted((Path(__file__).parent / "data" / "realistic").glob("*.yaml"))


@pytest.mark.parametrize(("suffix", "dpi", "pixels"), [("png", None, 1004), ("tif", None, 2008)])
def test_png_and_tiff_carry_the_resolution_they_were_drawn_at(
    tmp_path: Path, suffix: str, dpi: int | None, pixels: int
) -> None:
    from PIL import Image

    path = save(load_case(CASE), tmp_path / f"figure.{suffix}", size="column", dpi=dpi)
    with Image.open(path) as image:
        assert image.format == ("PNG" if suffix == "png" else "TIFF")
        assert image.width == pixels
        expected = 300 if suffix == "png" else 600
        assert tuple(round(value) for value in image.info["dpi"]) == (expected, expected)
        if suffix == "tif":
            assert image.info["compression"] == "tiff_lzw"
            assert image.mode == "RGB"


def test_relapse_labels_stay_apart_when_printed_in_greyscale() -> None:
    import io

    from PIL import Image, ImageChops

    from dashboard.figure import build_figure
    from dashboard.load import parse_case

    labels = ["optic neuritis", "myelitis", "area postrema syndrome", "brainstem"]
    events = ", ".join(
        f"{{at: day {10 * n}, kind: relapse, label: {label}}}" for n, label in enumerate(labels)
    )
    figure = build_figure(parse_case(f"title: Relapses\nevents: [{events}]\n"), theme="print")
    marks = [trace for trace in figure.data if trace.legendgroup == "relapse"]
    assert len(marks) == 4
    greys = []
    with ImageRenderer() as renderer:
        for mark in marks:
            # each label's mark alone, large, where the others are drawn too
            alone = {
                "data": [
                    {
                        "x": [0],
                        "y": [0],
                        "mode": "markers",
                        "marker": mark.marker.to_plotly_json() | {"size": 60},
                    }
                ],
                "layout": {
                    "width": 100,
                    "height": 100,
                    "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                    "xaxis": {"visible": False},
                    "yaxis": {"visible": False},
                    "showlegend": False,
                },
            }
            png = renderer.image(alone, "png", parse_size("100x100"))
            greys.append(Image.open(io.BytesIO(png)).convert("L"))
    for first in range(len(greys)):
        for second in range(first + 1, len(greys)):
            difference = ImageChops.difference(greys[first], greys[second])
            # a difference the eye sees in print: dozens of pixels at least a quarter apart
            clearly = sum(difference.histogram()[64:])
            assert clearly >= 40, (labels[first], labels[second], clearly)


def test_dpi_and_height_in_millimetres_set_the_pixels(tmp_path: Path) -> None:
    from PIL import Image

    case = load_case(CASE)
    path = save(case, tmp_path / "figure.tiff", size="page", height_mm=100, dpi=1000)
    with Image.open(path) as image:
        # 180 x 100 mm at 1000 dpi
        assert (image.width, image.height) == (7087, 3937)
        assert tuple(round(value) for value in image.info["dpi"]) == (1000, 1000)
    path = save(case, tmp_path / "figure.png", size="120x80mm")
    with Image.open(path) as image:
        assert (image.width, image.height) == (1417, 945)  # 120 x 80 mm at 300 dpi
        assert tuple(round(value) for value in image.info["dpi"]) == (300, 300)


@pytest.mark.parametrize(
    ("size", "options", "message"),
    [
        ("1600x900", {"height_mm": 100}, "--height is in millimetres and applies to column"),
        ("column", {"height_mm": 1000}, "height 1000 mm is out of range; expected 30 to 600 mm"),
        ("slide", {"dpi": 600}, "--dpi applies to print sizes (column, page or WxHmm)"),
        ("column", {"dpi": 450}, "dpi 450 is not offered; expected one of 300, 600 or 1000"),
        ("10x20mm", {}, "size '10x20mm' is out of range; width and height must each be 30 to"),
    ],
)
def test_a_wrong_height_or_dpi_says_what_would_be_right(
    size: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        parse_size(size, **options)


def test_a_size_too_low_for_the_figure_says_so_plainly(tmp_path: Path) -> None:
    # the layout warns with the height that would hold the rows, the export then refuses
    with pytest.raises(ExportError) as raised, pytest.warns(FigureWarning, match="would fit"):
        save(load_case(CASE), tmp_path / "figure.png", size="1600x150")
    assert str(raised.value).startswith("size 1600x150 is too low for this figure")
    assert "try 1600x" in str(raised.value)
    assert not (tmp_path / "figure.png").exists()


def test_print_sizes_stay_within_journal_limits_and_print_no_type_under_7_pt() -> None:
    """A print figure keeps within 1.4 times its width in a column and its width on a page;
    a course too dense for that grows (never past 240 mm) and says so, never silently."""
    for path in [*CASE_FILES, *REALISTIC]:
        case = load_case(path)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", FigureWarning)
            page = image_figure(case, SIZES["page"])
            column = image_figure(case, SIZES["column"])
        over = page.layout.height > page.layout.width or (
            column.layout.height > 1.4 * column.layout.width
        )
        assert over == any("more than the" in str(w.message) for w in said), path.stem
        assert column.layout.height <= 907, "never taller than 240 mm"
        if path in CASE_FILES:  # the seed cases fit as the papers' figures do
            assert not over, path.stem
        for figure in (page, column):
            sizes = [size for size in font_sizes(figure.to_dict()) if size is not None]
            assert min(sizes) >= 9.4, f"{path.stem}: 7 pt is 9.33 px at 96 px to the inch"


def test_slide_text_reads_from_the_back_of_a_hall() -> None:
    for path in REALISTIC:
        slide = image_figure(load_case(path), SIZES["slide"])
        assert min(font_sizes(slide.to_dict())) >= 24


def font_sizes(node: Any) -> list[float]:
    """Every font size set anywhere in a figure's JSON."""
    found: list[float] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                key in ("font", "textfont", "tickfont")
                and isinstance(value, dict)
                and "size" in value
            ):
                found.append(value["size"])
            found += font_sizes(value)
    elif isinstance(node, list):
        for item in node:
            found += font_sizes(item)
    return found


def test_every_svg_carries_the_fonts_it_is_drawn_with(
    images: dict[tuple[str, str], bytes],
) -> None:
    """Print or screen, an SVG declares the shipped Latin font in both weights with the
    font data inside; the PDF embeds its font files too."""
    for size in ("column", "1600x900"):
        svg = images[size, "svg"].decode("utf-8")
        head = svg[: svg.index("</style>")]
        for weight in (400, 700):
            assert (
                f'@font-face{{font-family:"Liberation Sans";font-weight:{weight};'
                "font-style:normal;font-display:block;src:url(data:font/ttf;base64,"
            ) in head
    assert b"/FontFile2" in images["column", "pdf"], "the PDF embeds its font too"
