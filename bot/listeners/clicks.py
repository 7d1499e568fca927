"""What a button click carries, read the same way by every listener."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Click:
    value: str  # the button's ``value``: a question log id or a check-in id
    user: str  # the verified clicker
    action_id: str

    @property
    def id(self) -> int | None:
        """``value`` as an id, or ``None`` if it is not a number."""
        return int(self.value) if self.value.isdigit() else None


def clicked(body: dict[str, Any]) -> Click:
    action = (body.get("actions") or [{}])[0]
    return Click(
        value=str(action.get("value", "")),
        user=str((body.get("user") or {}).get("id", "")),
        action_id=str(action.get("action_id", "")),
    )
