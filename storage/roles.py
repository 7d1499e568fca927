"""A group's topic and whom each member represents (issue 14): keyword-only functions.

Who may do what (identity is always a verified Slack user ID):

* the topic: the group's lead or an admin;
* a member's stakeholder role: the member for themself, or the lead or an admin for anyone
  (who is added to the group if they were not in it).

Party ids are checked against ``playbooks/stakeholders.yaml`` by the caller before they
get here; storage stores what it is given.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from storage.groups import add_member, get_membership
from storage.models import Membership, WorkingGroup, saved_id
from storage.permissions import require_group_change

TOPIC_LIMIT = 300


def set_group_topic(
    session: Session,
    *,
    group_id: int,
    topic: str | None,
    actor_user_id: str,
    admin_ids: Collection[str],
) -> WorkingGroup | None:
    """Set (or clear, with ``None``) the group's topic, lead or admin only; ``None`` if the
    group is gone. Raises ``PermissionDenied``."""
    group = session.get(WorkingGroup, group_id)
    if group is None:
        return None
    require_group_change(group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    group.topic = topic[:TOPIC_LIMIT] if topic else None
    session.commit()
    return group


def set_member_stakeholder(
    session: Session,
    *,
    group_id: int,
    user_id: str,
    stakeholder: str | None,
    actor_user_id: str,
    admin_ids: Collection[str],
    now: datetime,
) -> Membership | None:
    """Record whom ``user_id`` represents in the group (joining them if needed); ``None`` if
    the group is gone. Anyone for themself; the lead or an admin for others, else
    ``PermissionDenied``."""
    group = session.get(WorkingGroup, group_id)
    if group is None:
        return None
    if actor_user_id != user_id:
        require_group_change(group, actor_user_id=actor_user_id, admin_ids=admin_ids)
    membership = get_membership(session, group_id=saved_id(group), user_id=user_id)
    if membership is None:
        membership = add_member(session, group_id=saved_id(group), user_id=user_id, now=now)
    membership.stakeholder = stakeholder
    session.add(membership)
    session.commit()
    return membership
