"""Front matter: split a Markdown file into YAML metadata and body, with line numbers.

Every problem is reported as a ``Problem`` naming the file, the 1-based line in the file and
a fix, so an admin can go straight to it. Parsing never raises for bad content.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import yaml

Severity = Literal["error", "warning"]
KNOWN_KEYS = (
    "id",
    "title",
    "kind",
    "tags",
    "stakeholders",
    "city",
    "summary",
    "sources",
    "updated",
    "review_by",
    "owner",
    "boost",
    "hidden",
)
BOOST_RANGE = (0.5, 2.0)
KINDS = ("playbook", "case-note")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_PATTERN = re.compile(r"^https?://[^\s<>|]+$")
SUMMARY_MAX_CHARS = 300


@functools.cache
def _loaders() -> tuple[type, type | None]:
    """The YAML loaders, made on the first parse: importing this module (every ``advisor
    ask`` does, through ``retrieval.documents``) does not import PyYAML.

    The first is PyYAML's safe loader without implicit timestamps: ``updated: 2026-02-31``
    stays a string, so a bad date is reported on its own line by ``check_fields`` instead of
    failing the parse. The second has the same rules over libyaml's parser (10x faster: every
    `advisor index` parses every file), where PyYAML was built with it (else ``None``). Front
    matter libyaml rejects is parsed again by the first, so a problem is worded and located
    as always.
    """
    import yaml

    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag != "tag:yaml.org,2002:timestamp"]
        for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader = type("_Loader", (yaml.SafeLoader,), {"yaml_implicit_resolvers": resolvers})
    if not getattr(yaml, "__with_libyaml__", False):
        return loader, None
    return loader, type("_CLoader", (yaml.CSafeLoader,), {"yaml_implicit_resolvers": resolvers})


def _parse(raw: str) -> tuple[yaml.Node | None, Any]:
    """The YAML's node tree (for key lines) and its values, from one parse when it is valid."""
    import yaml

    python_loader, c_loader = _loaders()
    if c_loader is not None:
        try:
            loader = c_loader(raw)
            try:
                node = loader.get_single_node()
                return node, loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except Exception:  # noqa: S110 - reported below, as the pure-Python parser words it
            pass
    node = yaml.compose(raw, Loader=python_loader)
    values = yaml.load(raw, Loader=python_loader) if node is not None else None  # noqa: S506
    return node, values


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    severity: Severity
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.severity}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


@dataclass(frozen=True)
class FrontMatter:
    values: dict[str, Any]
    key_lines: dict[str, int]  # key -> 1-based line in the file
    body: str
    body_start_line: int


def split_front_matter(text: str, path: str) -> tuple[FrontMatter | None, list[Problem]]:
    """Parse the ``---`` YAML block at the top of ``text``."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, [_err(path, 1, "no front matter", "start the file with a '---' line")]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, [_err(path, 1, "front matter is never closed", "add a '---' line after it")]
    raw = "".join(lines[1:end])
    import yaml

    try:
        node, values = _parse(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 2
        problem = getattr(exc, "problem", None) or "invalid YAML"
        return None, [_err(path, line, f"front matter is not valid YAML: {problem}", _YAML_FIX)]
    except (RecursionError, ValueError, TypeError) as exc:  # nesting too deep, odd scalars
        problem = "nested too deeply" if isinstance(exc, RecursionError) else type(exc).__name__
        return None, [_err(path, 2, f"front matter is not valid YAML: {problem}", _YAML_FIX)]
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        found = type(values).__name__ if values is not None else "nothing"
        return None, [_err(path, 2, f"front matter must be a mapping, found {found}", _MAP_FIX)]
    key_lines = {
        str(key.value): key.start_mark.line + 2
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    body = "".join(lines[end + 1 :])
    return FrontMatter({str(k): v for k, v in values.items()}, key_lines, body, end + 2), []


_YAML_FIX = "check indentation and quote values containing ':' or '#'"
_MAP_FIX = "write 'key: value' lines, e.g. 'title: My playbook'"


def _err(path: str, line: int, message: str, fix: str = "") -> Problem:
    return Problem(path, line, "error", message, fix)


def _warn(path: str, line: int, message: str, fix: str = "") -> Problem:
    return Problem(path, line, "warning", message, fix)


def check_fields(fm: FrontMatter, path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Type-check known keys; returns cleaned values and problems (wrong types are errors)."""
    problems: list[Problem] = []
    clean: dict[str, Any] = {}

    def line(key: str) -> int:
        return fm.key_lines.get(key, 2)

    for key in fm.values:
        if key not in KNOWN_KEYS:
            known = ", ".join(KNOWN_KEYS)
            problems.append(_warn(path, line(key), f"unknown key '{key}'", f"use one of: {known}"))
    for key in ("id", "title", "city", "owner", "summary"):
        value = fm.values.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(_err(path, line(key), f"'{key}' must be a non-empty string"))
        else:
            clean[key] = value.strip()
    summary = clean.get("summary")
    if summary is not None and len(summary) > SUMMARY_MAX_CHARS:
        problems.append(
            _err(
                path,
                line("summary"),
                f"summary is {len(summary)} characters, over {SUMMARY_MAX_CHARS}",
                "keep it to one or two sentences",
            )
        )
        clean.pop("summary")
    if "id" in clean and not ID_PATTERN.match(clean["id"]):
        problems.append(
            _err(
                path,
                line("id"),
                f"id '{clean['id']}' has characters other than a-z, 0-9, -",
                "use lowercase letters, digits and hyphens",
            )
        )
        clean.pop("id")
    kind = fm.values.get("kind")
    if kind not in KINDS:
        problems.append(
            _err(
                path,
                line("kind"),
                f"kind must be 'playbook' or 'case-note', found {kind!r}",
                "add 'kind: playbook' or 'kind: case-note'",
            )
        )
    else:
        clean["kind"] = kind
    for key in ("tags", "stakeholders", "sources"):
        items, problem = _string_list(fm.values.get(key), key, path, line(key))
        if problem:
            problems.append(problem)
        clean[key] = items
    for url in clean["sources"]:
        if not URL_PATTERN.match(url):
            problems.append(_err(path, line("sources"), f"source is not an http(s) URL: {url!r}"))
    clean["sources"] = tuple(u for u in clean["sources"] if URL_PATTERN.match(u))
    for key in ("updated", "review_by"):
        value, problem = _date(fm.values.get(key), key, path, line(key))
        if problem:
            problems.append(problem)
        clean[key] = value
    boost = fm.values.get("boost", 1.0)
    low, high = BOOST_RANGE
    valid = isinstance(boost, int | float) and not isinstance(boost, bool)
    if not valid or not low <= float(boost) <= high:
        problems.append(
            _err(
                path, line("boost"), f"boost must be a number from {low} to {high}, found {boost!r}"
            )
        )
        boost = 1.0
    clean["boost"] = float(boost)
    hidden = fm.values.get("hidden", False)
    if not isinstance(hidden, bool):
        problems.append(
            _err(path, line("hidden"), f"hidden must be true or false, found {hidden!r}")
        )
        hidden = False
    clean["hidden"] = hidden
    return clean, problems


def _string_list(
    value: object, key: str, path: str, line: int
) -> tuple[tuple[str, ...], Problem | None]:
    if value is None:
        return (), None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return (), _err(path, line, f"'{key}' must be a list of strings", f"write {key}: [a, b]")
    return tuple(v.strip() for v in value), None


def _date(value: object, key: str, path: str, line: int) -> tuple[date | None, Problem | None]:
    if value is None:
        return None, None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
            try:
                return parse(text), None
            except ValueError:
                continue
    shown = value if isinstance(value, str | int | float) else type(value).__name__
    return None, _err(path, line, f"'{key}' is not a date: {shown!r}", "write it as YYYY-MM-DD")
