"""Reading a YAML file of the playbooks folder (``tags.yaml``, ``stakeholders.yaml``) so
that bad content is a ``Problem`` with the file's line, never a raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from retrieval.frontmatter import Problem


def read_yaml(path: Path, shown: str) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """The parsed document, its node tree (for line numbers) and the problems, if any (then
    the document is None). ``shown`` names the file in problems."""

    def problem(line: int, message: str) -> tuple[None, None, list[Problem]]:
        return None, None, [Problem(shown, line, "error", message)]

    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        return problem(1, f"cannot read the file: {exc.strerror or type(exc).__name__}")
    except UnicodeDecodeError as exc:
        return problem(data[: exc.start].count(b"\n") + 1, "file is not UTF-8 text")
    if "\x00" in text:
        return problem(text[: text.index("\x00")].count("\n") + 1, "file contains a NUL byte")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return problem(line, f"not valid YAML: {getattr(exc, 'problem', None) or 'invalid'}")
    except (RecursionError, ValueError, TypeError) as exc:
        return problem(1, f"not valid YAML: {type(exc).__name__}")
    return parsed, node, []
