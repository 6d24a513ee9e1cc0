"""One wording for schema errors in the files researchers edit by hand (study.yaml, codebook.yaml).

pydantic reports a misspelt key (``defintion:``) twice: the field it should have been is
missing, and the key as written is not allowed. The key as written is what the researcher
typed, so it is the error named, with the closest valid key as a suggestion.
"""

from __future__ import annotations

import difflib
import typing

from pydantic import BaseModel, ValidationError


def first_error(model: type[BaseModel], exc: ValidationError) -> tuple[tuple, str, str]:
    """(location, pydantic error type, message) of the error to report."""
    errors = exc.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(first["loc"])
    if first["type"] == "extra_forbidden":
        return loc, first["type"], unknown_key_message(model, loc, errors)
    if first["type"] == "missing":
        return loc, first["type"], "field required"
    return loc, first["type"], first["msg"].removeprefix("Value error, ")


def unknown_key_message(model: type[BaseModel], loc: tuple, errors: list[dict]) -> str:
    """"unknown key 'defintion' (did you mean 'definition'?)", from the keys valid at that place."""
    key, parent = str(loc[-1]), tuple(loc[:-1])
    missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent]
    valid = valid_keys(model, parent)
    close = difflib.get_close_matches(key, missing or valid, n=1, cutoff=0.6)
    if close:
        hint = f" (did you mean '{close[0]}'?)"
    elif missing:
        hint = f" (and '{', '.join(missing)}' is missing)"
    else:
        hint = f" (valid keys: {', '.join(valid)})" if valid else ""
    return f"unknown key '{key}'{hint}"


def valid_keys(model: type[BaseModel], parent: tuple) -> list[str]:
    """Field names of the schema at ``parent`` (e.g. ("codes", 1) -> the fields of a code)."""
    current: type[BaseModel] | None = model
    for part in parent:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(str(part))
        current = _model_in(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def all_keys(model: type[BaseModel]) -> set[str]:
    """Every field name of ``model`` and of the models inside it, at any depth."""
    found: set[str] = set()
    todo, seen = [model], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            found.add(name)
            if field.alias:
                found.add(field.alias)
            inner = _model_in(field.annotation)
            if inner is not None:
                todo.append(inner)
    return found


def _model_in(annotation) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``list[Code]`` or ``Examples | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
