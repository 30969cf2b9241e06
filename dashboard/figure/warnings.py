"""What a figure could not do as asked, said to the user rather than hidden."""

from __future__ import annotations


class FigureWarning(UserWarning):
    """A figure was drawn, but with something a reader would notice: a size too small for
    its rows, texts that overlap or run off the image. The message names the case."""
