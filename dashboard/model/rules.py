"""Rules that compare fields (an end before its start, steps out of order), and the base model
that runs them for every item whose own fields are valid, whatever else the file gets wrong.

Every problem the model can report has an id in `RULES`; the tests hold one invalid file per id.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

# Every problem a case file can have, by id: what the rule says. The loader's, the times'
# and the model's own checks all raise with one of these ids.
RULES: dict[str, str] = {
    # reading the file
    "file_size": "a case file may be at most 2 MB",
    "unreadable": "the file cannot be read",
    "outside_folder": "a file (a symlink) that points outside the folder is not read",
    "not_utf8": "a case file is UTF-8 text",
    "nul_bytes": "a case file holds no NUL bytes",
    "yaml_syntax": "the file is valid YAML",
    "yaml_tag": "YAML tags are not allowed",
    "yaml_tab": "lines are indented with spaces, not tabs",
    "full_width": "keys end with an ordinary colon, indented with ordinary spaces, unquoted "
    "or in ordinary quotes",
    "nesting": "a case file nests at most 20 levels deep",
    "number_too_large": "whole numbers fit a floating-point number",
    "alias_expansion": "YAML aliases expand to at most 500 000 items",
    "empty": "a case has at least a title",
    "not_mapping": "a case file is a mapping of keys",
    "duplicate_key": "no key is written twice in one mapping",
    "more_problems": "past 200 problems in a file, the rest are counted",
    "same_id": "two files of a folder have different case ids",
    # the schema (pydantic's own checks, reworded in dashboard.problems)
    "extra_forbidden": "no unknown keys",
    "invalid_key": "keys are text",
    "missing": "required keys are present",
    "literal_error": "words such as kind and scale are among the allowed ones",
    "float_parsing": "numbers are numbers",
    "decimal_comma": "a comma in a number is read only between thousands (1,200)",
    "string_type": "text is text",
    "too_long": "text is at most 4 000 characters, an abbreviation at most 40",
    "bool_parsing": "true or false",
    "model_type": "an item is a mapping of keys",
    "tuple_type": "a list is a list",
    "greater_than_equal": "doses are not negative",
    # times and numbers
    "time_format": "a time is a date, a month, 'day N' and the like, or a number of days",
    "values_flat": "a measurement's values are pairs of a time and a value",
    "time_date": "a calendar date is a real date",
    "time_type": "a time is text or a number",
    "time_no_day0": "calendar dates need day0.date",
    "time_range": "a time lies within 200 years of day 0, in years 1 to 9999",
    "duration": "an interval such as '4 weeks', longer than zero",
    "number_range": "a number is finite and between -1e15 and 1e15",
    # rules between fields
    "web_url": "a source url starts with https:// or http://",
    "language": "language is one of the codes the program has words for",
    "day0_calendar": "day0.date is a calendar date",
    "image_path": "an image lies beside the case file",
    "axis_order": "the axis ends after it starts",
    "axis_range": "the axis window lies within 200 years of day 0",
    "timing_none": "a treatment has a timing form",
    "timing_many": "a treatment has one timing form",
    "given_extra": "end, ongoing and every go with start, not with given",
    "empty_list": "given and doses hold at least one item",
    "every_without_start": "every goes with start",
    "start_without_end": "start needs end or ongoing: true",
    "end_and_ongoing": "end and ongoing: true are not both written",
    "end_before_start": "an end comes after its start",
    "doses_order": "taper steps run in time order",
    "no_values": "a measurement has at least one value",
    "normal_order": "the upper normal limit is above the lower",
    "range_order": "the axis range ends above its start",
    "log_not_positive": "a log scale needs values above zero",
    "steps_order": "teaching steps run in time order",
    "too_many_administrations": "every yields at most 5 000 administrations per treatment",
    "too_many_points": "a case draws at most 100 000 points in all",
    # series files (their fields share the case rules above)
    "series_align": "match goes with by: treatment or event and says what to align on",
    "series_interval": "merge_within is an interval such as '30 days', or 0",
    "series_kind": "the attacks counted are event kinds",
    "series_window": "the window runs from before the anchor to after it, counted from it",
    "series_case": "the cases and panels a series names are case files of its folder",
    "series_match": "some case of the series has what it aligns on",
    "series_occurrence": "some case of the series has the occurrence it aligns on",
    "series_patterns": "a series names at most 1000 cases or patterns, each of 200 characters",
    "series_empty": "a series has at least one case",
    "series_same_id": "two series files of a folder have different ids",
}


def problem(rule: str, message: str, *at: str | int) -> PydanticCustomError:
    """A validation problem of a registered rule; `at` names the key inside the item."""
    if rule not in RULES:
        raise KeyError(f"unregistered rule {rule!r}")
    return PydanticCustomError(rule, message, {"at": at} if at else None)


Rule = Callable[[Any], Iterator[PydanticCustomError]]
_CHECKED_AT_MOST = 200  # problems of an item past which its rules between fields are skipped
R = TypeVar("R", bound=Rule)


def rule(*fields: str) -> Callable[[R], R]:
    """Mark a method as a rule between the fields named (as written in the file)."""

    def mark(method: R) -> R:
        method.__rule_fields__ = fields  # type: ignore[attr-defined]
        return method

    return mark


class _Failed:
    """Stands for an item of a list that did not validate."""

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()


class Strict(BaseModel):
    """Unknown keys are errors, models never change after validation, numbers may be text.

    Rules (methods marked with `rule`) run after the fields; when some fields fail, every
    rule whose own fields are valid still runs, so a file gets all its problems at once.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )
    # Fields that are lists of items: when one item fails, rules see the others (with
    # FAILED in its place) rather than skipping the whole list.
    _ITEMWISE: typing.ClassVar[tuple[str, ...]] = ()

    @classmethod
    def _validating(cls, data: Any) -> AbstractContextManager[None]:
        """Context the fields are validated in (a case sets its day 0 here)."""
        return nullcontext()

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        with cls._validating(data):
            return cls._checked(data, handler)

    @classmethod
    def _checked(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        rules = _rules(cls)
        if not rules:
            return handler(data)
        errors: list[ErrorDetails] = []
        try:
            model = view = handler(data)
            failed: set[str] = set()
        except ValidationError as error:
            errors = error.errors(include_url=False)
            if not isinstance(data, dict) or len(errors) > _CHECKED_AT_MOST:
                raise  # (past that many problems, the rules between fields can wait)
            if any(not e["loc"] for e in errors):
                raise
            failed = {str(e["loc"][0]) for e in errors}
            view, failed = _partial(cls, data, failed)
            model = None
        found = [
            problem_
            for check in rules
            if not failed.intersection(check.__rule_fields__)  # type: ignore[attr-defined]
            for problem_ in check(view)
        ]
        if not found and model is not None:
            return model
        details = [_again(error) for error in errors] + [_detail(p, data) for p in found]
        raise ValidationError.from_exception_data(cls.__name__, details)


@functools.cache
def _rules(cls: type[Strict]) -> tuple[Rule, ...]:
    found: dict[str, Rule] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if hasattr(value, "__rule_fields__"):
                found[name] = value
    return tuple(found[name] for name in sorted(found))


@functools.cache
def _adapter(cls: type[Strict], name: str, itemwise: bool) -> TypeAdapter[Any]:
    field = cls.model_fields[name]
    annotation: Any = field.annotation
    if itemwise:
        annotation = typing.get_args(annotation)[0]
    if field.metadata and not itemwise:
        annotation = typing.Annotated[annotation, *field.metadata]
    return TypeAdapter(annotation)


def _partial(cls: type[Strict], data: dict[str, Any], failed: set[str]) -> tuple[Any, set[str]]:
    """The item with every field that validates on its own; lists listed in `_ITEMWISE`
    keep their good items. Returns it and the fields still failed."""
    values: dict[str, Any] = {}
    still_failed = set(failed)
    for name, field in cls.model_fields.items():
        written = field.alias or name
        key = written if written in data else name if name in data else None
        if key is None:
            continue
        if written not in failed and name not in failed:
            values[name] = _adapter(cls, name, False).validate_python(data[key])
        elif name in cls._ITEMWISE and isinstance(data[key], list | dict):
            items = list(data[key].items()) if isinstance(data[key], dict) else data[key]
            values[name] = tuple(_item(cls, name, item) for item in items)
            still_failed.discard(written)
    return cls.model_construct(**values), still_failed


def _item(cls: type[Strict], name: str, item: Any) -> Any:
    try:
        return _adapter(cls, name, True).validate_python(
            tuple(item) if isinstance(item, list) else item
        )
    except (ValidationError, ValueError, TypeError):
        return FAILED


def _again(error: ErrorDetails) -> InitErrorDetails:
    """A reported error as it can be raised again (the key inside the item moved into loc)."""
    ctx = dict(error.get("ctx") or {})
    at = tuple(ctx.pop("at", ()))
    return {
        "type": PydanticCustomError(error["type"], error["msg"], ctx or None),
        "loc": (*error["loc"], *at),
        "input": error.get("input"),
    }


def _detail(found: PydanticCustomError, data: Any) -> InitErrorDetails:
    at = tuple((found.context or {}).get("at", ()))
    return {
        "type": PydanticCustomError(found.type, found.message()),
        "loc": at,
        "input": data,
    }
