"""Image files as journals want them: resolution in PNG and TIFF, SVG in mm with its fonts."""

from __future__ import annotations

import html
import io
import re
import struct
import zlib

from dashboard.export.sizes import MM_PER_INCH, ImageSize
from dashboard.fonts.embed import embedded_css


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
_SVG_TEXT = re.compile(r">([^<]+)<")


def physical_svg(svg: bytes, size: ImageSize) -> bytes:
    """The SVG with the shipped fonts it uses embedded, cut down to its characters (so it
    reads the same on a computer without them, CJK included), and, for a print size, its
    width and height in millimetres (viewBox unchanged)."""
    text = svg.decode("utf-8")
    match = _SVG_SIZE.search(text, 0, 2000)
    if match is None:
        return svg
    sized = match.group(0)
    if size.mm is not None:
        # the promised width exactly; the height in proportion
        width = size.mm
        height = float(match.group(3)) * size.mm / float(match.group(2))
        sized = f'{match.group(1)} width="{width:.2f}mm" height="{height:.2f}mm"'
    opening = text.index(">", match.end()) + 1
    used = html.unescape("".join(_SVG_TEXT.findall(text)))
    fonts = f"<defs><style>{embedded_css(used)}</style></defs>"
    return (
        text[: match.start()] + sized + text[match.end() : opening] + fonts + text[opening:]
    ).encode("utf-8")
