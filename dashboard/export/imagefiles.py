"""Image files as journals want them: resolution in PNG and TIFF, SVG in mm with its font."""

from __future__ import annotations

import base64
import functools
import io
import re
import struct
import zlib
from pathlib import Path

from dashboard.export.sizes import MM_PER_INCH, ImageSize


def png_with_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with its resolution in a pHYs chunk, right after the header (IHDR)."""
    per_metre = round(dpi / MM_PER_INCH * 1000)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = 8 + 4 + 4 + 13 + 4  # signature, length, type, IHDR data, CRC
    rest = _without_chunk(png[end_of_header:], b"pHYs")
    return png[:end_of_header] + chunk + rest


def _without_chunk(chunks: bytes, kind: bytes) -> bytes:
    out, at = [], 0
    while at < len(chunks):
        (length,) = struct.unpack(">I", chunks[at : at + 4])
        end = at + 12 + length
        if chunks[at + 4 : at + 8] != kind:
            out.append(chunks[at:end])
        at = end
    return b"".join(out)


def tiff_from_png(png: bytes, dpi: float) -> bytes:
    """A TIFF (RGB, LZW-compressed) of the PNG, carrying its resolution, as journals ask."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    out = io.BytesIO()
    flat.save(out, format="TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    return out.getvalue()


_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="([\d.]+)"\sheight="([\d.]+)"')


def physical_svg(svg: bytes, size: ImageSize) -> bytes:
    """An SVG of a print size with its width and height in millimetres (viewBox unchanged),
    and the print look's font embedded."""
    if size.mm is None:
        return svg
    text = svg.decode("utf-8")
    match = _SVG_SIZE.search(text, 0, 2000)
    if match is None:
        return svg
    # the promised width exactly; the height in proportion
    width = size.mm
    height = float(match.group(3)) * size.mm / float(match.group(2))
    sized = f'{match.group(1)} width="{width:.2f}mm" height="{height:.2f}mm"'
    opening = text.index(">", match.end()) + 1
    fonts = _embedded_fonts() if PRINT_FONT in text else ""
    return (
        text[: match.start()] + sized + text[match.end() : opening] + fonts + text[opening:]
    ).encode("utf-8")


PRINT_FONT = "Liberation Sans"  # the print look's font after Arial, with Arial's widths
FONT_FILES = {
    "normal": "LiberationSans-Regular.ttf",
    "bold": "LiberationSans-Bold.ttf",
}
FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


@functools.cache
def _embedded_fonts() -> str:
    """Liberation Sans (SIL Open Font License) inside the SVG as Arial, so the figure reads
    the same on a machine without either font; empty when the font is not installed."""
    faces = []
    for weight, name in FONT_FILES.items():
        found = next((folder / name for folder in FONT_FOLDERS if (folder / name).is_file()), None)
        if found is None:
            continue
        data = base64.b64encode(found.read_bytes()).decode("ascii")
        # as Arial, the first family the print look asks for
        faces.append(
            f'@font-face{{font-family:"Arial";font-weight:{weight};'
            f"src:url(data:font/ttf;base64,{data}) format('truetype')}}"
        )
    return f"<defs><style>{''.join(faces)}</style></defs>" if faces else ""
