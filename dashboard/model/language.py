"""The languages a case's figure, words and slides can be written in, and the `language` key."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from dashboard.model.rules import problem

# Code -> the names a user may know it by (English, then its own); the codes are the keys.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "de": ("German", "Deutsch"),
    "fr": ("French", "français"),
    "es": ("Spanish", "español"),
    "it": ("Italian", "italiano"),
    "pt": ("Portuguese", "português"),
    "nl": ("Dutch", "Nederlands"),
    "ja": ("Japanese", "日本語"),
    "zh": ("Chinese", "中文"),
    "ko": ("Korean", "한국어"),
}


def read_language(value: Any) -> str:
    """A language code as written ('de', 'DE', 'de-AT' -> 'de'); anything else is a problem
    that lists the codes and suggests the nearest ('German' -> 'de', 'dee' -> 'de')."""
    written = str(value).strip() if isinstance(value, str | int | float) else ""
    code = written.lower().replace("_", "-").split("-", 1)[0]
    if code in LANGUAGES:
        return code
    names = {name.lower(): key for key, both in LANGUAGES.items() for name in both}
    close = [names[n] for n in difflib.get_close_matches(written.lower(), names, n=1)]
    if not close and len(code) <= 3:
        close = difflib.get_close_matches(code, list(LANGUAGES), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise problem(
        "language",
        f"expected a language code, one of {', '.join(LANGUAGES)}; found {value!r}{hint}",
    )


# The language of every word the program writes around the user's own texts.
Language = Annotated[
    str,
    BeforeValidator(read_language, json_schema_input_type=str),
    Field(
        description="The language of the words the program adds (axis titles, legend, caption, "
        "slides); the case's own texts are never changed.",
        json_schema_extra={"enum": list(LANGUAGES)},
    ),
]
