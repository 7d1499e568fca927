"""Who may change what. Identity is always a verified Slack user ID, never text.

* a commitment: its owner, its group's lead, or an admin;
* a group's settings (schedule, lead, archive): its lead or an admin;
* deleting a group: admins only.
"""

from __future__ import annotations

from collections.abc import Collection

from storage.errors import PermissionDenied
from storage.models import Commitment, WorkingGroup


def can_change_commitment(
    commitment: Commitment, group: WorkingGroup, *, actor_user_id: str, admin_ids: Collection[str]
) -> bool:
    """Whether ``actor_user_id`` may change ``commitment``."""
    return actor_user_id in {commitment.owner_user_id, group.lead_user_id} or (
        actor_user_id in admin_ids
    )


def require_commitment_change(
    commitment: Commitment, group: WorkingGroup, *, actor_user_id: str, admin_ids: Collection[str]
) -> None:
    """Raise ``PermissionDenied`` unless ``actor_user_id`` may change ``commitment``."""
    if not can_change_commitment(
        commitment, group, actor_user_id=actor_user_id, admin_ids=admin_ids
    ):
        raise PermissionDenied(
            "Only the owner, the group lead or an admin can change this commitment.",
            actor_user_id=actor_user_id,
        )


def require_group_change(
    group: WorkingGroup, *, actor_user_id: str, admin_ids: Collection[str]
) -> None:
    """Raise ``PermissionDenied`` unless ``actor_user_id`` leads ``group`` or is an admin."""
    if actor_user_id != group.lead_user_id and actor_user_id not in admin_ids:
        raise PermissionDenied(
            "Only the group lead or an admin can change this group.", actor_user_id=actor_user_id
        )


def require_admin(*, actor_user_id: str, admin_ids: Collection[str], action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor_user_id`` is an admin."""
    if actor_user_id not in admin_ids:
        raise PermissionDenied(f"Only admins can {action}.", actor_user_id=actor_user_id)
