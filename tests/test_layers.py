"""Architecture rules, enforced: imports point one way and only settings reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "retrieval": {
        "bot",
        "storage",
        "checkins",
        "slack_bolt",
        "slack_sdk",
        "apscheduler",
        "typer",
        "sqlmodel",
    },
    "storage": {"bot", "retrieval", "checkins", "slack_bolt", "slack_sdk", "apscheduler", "typer"},
    "checkins": {"bot", "retrieval", "slack_bolt", "slack_sdk", "apscheduler", "typer"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_lower_layers_never_import_upper_layers() -> None:
    violations = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = imported_roots(path) & forbidden
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert violations == []


def test_only_settings_reads_the_environment() -> None:
    readers = []
    for package in ("bot", "retrieval", "storage", "checkins"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "os.environ[" in text or "os.getenv(" in text or "os.environ.get(" in text:
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []
