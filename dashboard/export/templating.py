"""The one Jinja2 environment every HTML output renders through: autoescaped, strict."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    """Templates from `dashboard/templates`; every value is escaped unless marked safe."""
    return Environment(
        loader=PackageLoader("dashboard", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, /, **context: object) -> str:
    """Render the template of that name with `context`."""
    return environment().get_template(template).render(**context)
