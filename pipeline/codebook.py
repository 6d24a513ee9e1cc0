"""``codebook.yaml``: the study's codes, validated at load.

The codebook is the researchers' document: each code has an id, a Norwegian
label, a definition, include/exclude criteria, positive and negative examples,
lemma patterns for the rule coder, an optional parent and a colour. Every
coding records the codebook ``version`` it was made under.

Validation errors name the file, the line and the field, e.g.
``codebook.yaml: line 14: codes[1].definition: field required``, because a
researcher edits this file by hand and must find the mistake quickly.

Pattern syntax (used by :mod:`pipeline.coding.rules`): a pattern is a string of
lemmas separated by spaces, matched as a sequence of tokens. A single word of
at least :data:`COMPOUND_MIN_LENGTH` letters also matches as the first or last
part of a compound (``vedlikehold`` matches ``vedlikeholdsbehovet``); a word
written ``=word`` matches only itself. A pattern may be a mapping
``{pattern: ..., negation: keep|drop|require}``: ``keep`` (default) counts a
negated mention ("ikke noe informasjon" is still about information), ``drop``
ignores it, ``require`` counts only negated mentions ("husker ikke").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import QualpipeError
from .safeio import MAX_SETTINGS_BYTES, load_yaml, read_input_bytes
from .validation import first_error

CODEBOOK_FILE = "codebook.yaml"
# Shorter stems ("bo", "tak") would match inside unrelated words as compound parts.
COMPOUND_MIN_LENGTH = 4

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
Negation = Literal["keep", "drop", "require"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pattern(_Strict):
    """One lemma pattern: words matched in sequence; see the module docstring."""

    pattern: str
    negation: Negation = "keep"

    @field_validator("pattern")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value or any(word in ("=", "") for word in value.split()):
            raise ValueError("a pattern needs at least one word")
        return value

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.pattern.lower().split())


class Examples(_Strict):
    positive: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)


class Code(_Strict):
    id: str
    label: str
    definition: str
    colour: str
    parent: str | None = None
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    examples: Examples = Examples()
    patterns: list[Pattern] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lower-case letters, digits and _ (starting with a letter), e.g. 'stability'")
        return value

    @field_validator("label", "definition")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return " ".join(value.split())

    @field_validator("colour")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not _COLOUR.match(value):
            raise ValueError("must be a hex colour like '#1b9e77'")
        return value.lower()

    @field_validator("patterns", mode="before")
    @classmethod
    def _pattern_strings(cls, value):
        # A bare string is the common case; the mapping form carries options.
        if isinstance(value, list):
            # Numbers ("50000") are patterns too; YAML reads them as int.
            return [{"pattern": str(item)} if isinstance(item, (str, int, float)) and not isinstance(item, bool)
                    else item for item in value]
        return value


class Codebook(_Strict):
    version: str
    name: str = "Kodebok"
    codes: list[Code]

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value):
        # YAML reads 1.0 as a float; accept it but keep the text researchers wrote.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string such as \"1.0\"")
        return value.strip()

    @field_validator("codes")
    @classmethod
    def _some_codes(cls, value: list[Code]) -> list[Code]:
        if not value:
            raise ValueError("the codebook needs at least one code")
        return value

    @model_validator(mode="after")
    def _hierarchy(self) -> "Codebook":
        # Duplicate ids and unknown parents are reported by load_codebook with
        # line numbers; this check keeps directly constructed codebooks honest.
        ids = [c.id for c in self.codes]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate code ids")
        known = set(ids)
        for code in self.codes:
            if code.parent is not None and code.parent not in known:
                raise ValueError(f"code '{code.id}': unknown parent '{code.parent}'")
        return self

    # ---- helpers
    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def get(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def store_rows(self) -> list[dict]:
        """Rows for :meth:`StudyStore.replace_codes`."""
        return [{"id": c.id, "label": c.label, "parent": c.parent, "definition": c.definition, "colour": c.colour}
                for c in self.codes]

    def ancestors(self, code_id: str) -> list[str]:
        """Parent, grandparent, ... of a code (for rolling codes up a hierarchy)."""
        found, current = [], self.get(code_id).parent
        while current is not None:
            found.append(current)
            current = self.get(current).parent
        return found


# ------------------------------------------------------------------------ loading


def _line_of(node: yaml.Node | None, loc: tuple) -> tuple[int | None, str]:
    """Line (1-based) of the YAML node at ``loc``, or of the deepest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((value for key, value in node.value if key.value == part), None)
            key_node = next((key for key, value in node.value if key.value == part), None)
            if child is None:
                break
            line = key_node.start_mark.line + 1
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line, _field_name(loc)


def _field_name(loc: tuple) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "(top level)"


def parse_codebook(text: str, path: str | Path = CODEBOOK_FILE) -> Codebook:
    """Validate codebook YAML text; errors name ``path``, the line and the field."""
    path = Path(path)
    # Bounded: depth, alias expansion, and duplicate keys (PyYAML keeps the last of two
    # equal keys silently; a hand-edited codebook must not) — see pipeline.safeio.
    data, root = load_yaml(text, path)
    if not isinstance(data, dict):
        raise QualpipeError("expected a mapping with 'version' and 'codes' at the top level", path)
    # Duplicate ids and unknown parents first, with the line of the offending entry.
    codes = data.get("codes")
    if isinstance(codes, list):
        first_line: dict[str, int] = {}
        for index, item in enumerate(codes):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                line, _ = _line_of(root, ("codes", index, "id"))
                if item["id"] in first_line:
                    raise QualpipeError(
                        f"line {line}: codes[{index}].id: duplicate code id '{item['id']}' "
                        f"(first defined on line {first_line[item['id']]})", path)
                first_line[item["id"]] = line
        for index, item in enumerate(codes):
            parent = item.get("parent") if isinstance(item, dict) else None
            if parent is not None and parent not in first_line:
                line, _ = _line_of(root, ("codes", index, "parent"))
                raise QualpipeError(f"line {line}: codes[{index}].parent: unknown parent code '{parent}'", path)
        _check_cycles(codes, root, path)
    try:
        return Codebook.model_validate(data)
    except ValidationError as exc:
        loc, _, message = first_error(Codebook, exc)
        line, field = _line_of(root, loc)
        where = f"line {line}: " if line else ""
        raise QualpipeError(f"{where}{field}: {message}", path) from exc


def _check_cycles(codes: list, root: yaml.Node, path: Path) -> None:
    parents = {item["id"]: item.get("parent") for item in codes
               if isinstance(item, dict) and isinstance(item.get("id"), str)}
    for index, item in enumerate(codes):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        seen, current = {item["id"]}, parents.get(item["id"])
        while current is not None:
            if current in seen:
                line, _ = _line_of(root, ("codes", index, "parent"))
                raise QualpipeError(f"line {line}: codes[{index}].parent: the parents of '{item['id']}' form a cycle",
                                    path)
            seen.add(current)
            current = parents.get(current)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file (usually ``study.codebook_path``)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise QualpipeError("codebook not found; every study needs a codebook.yaml (see docs/coding.md)", path)
    data = read_input_bytes(path, MAX_SETTINGS_BYTES, path.parent, setting="the fixed limit for settings files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QualpipeError("codebook is not UTF-8 text", path) from exc
    return parse_codebook(text, path)
