"""The stakeholder map of a group, from the retrieval engine the app already holds.

``group_map`` reads the group's topic and members' roles, and asks
``retrieval.stakeholder_map`` with ``services.advisor`` (the one loaded index and model)
and the vocabulary in ``playbooks/stakeholders.yaml``. A stand-in advisor without an index
gets a map that says so; nothing here guesses.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.services import Services
from bot.settings import Settings
from retrieval.answer import DEFAULT_ABSTAIN_THRESHOLD
from retrieval.stakeholder_map import StakeholderMap, TopicSearch, build_stakeholder_map
from retrieval.stakeholders import StakeholderVocabulary, read_stakeholders
from storage.groups import list_members
from storage.models import Membership, WorkingGroup, saved_id


def vocabulary(settings: Settings) -> StakeholderVocabulary | None:
    """The vocabulary of the playbooks folder, or ``None`` if it is missing or unreadable."""
    parties, _problems = read_stakeholders(settings.playbooks_dir)
    if parties is None or not parties.parties:
        return None
    return parties


def members_of(session: Session, group: WorkingGroup) -> list[Membership]:
    return list(list_members(session, group_id=saved_id(group)))


def group_map(
    services: Services, group: WorkingGroup, members: Sequence[Membership]
) -> StakeholderMap:
    """The map of ``group``'s topic against whom its ``members`` represent."""
    # the engine itself: a live-reindexing wrapper (``bot.answers.live``) hands out its
    # current generation, so one map is drawn from one index
    advisor = getattr(services.advisor, "current", services.advisor)
    return draw_map(advisor, services.settings, group=group, members=members)


def draw_map(
    advisor: object, settings: Settings, *, group: WorkingGroup, members: Sequence[Membership]
) -> StakeholderMap:
    """The map from ``advisor`` (the retrieval engine; anything else has no index)."""
    if not " ".join((group.topic or "").split()):
        return StakeholderMap(
            None, "no-topic", no_role=tuple(m.user_id for m in members if not m.stakeholder)
        )
    parties = vocabulary(settings)
    if not isinstance(advisor, TopicSearch) or parties is None:
        return StakeholderMap(group.topic, "no-index")
    threshold = settings.abstain_threshold
    return build_stakeholder_map(
        advisor,
        topic=group.topic,
        vocabulary=parties,
        members=[(m.user_id, m.stakeholder) for m in members],
        threshold=DEFAULT_ABSTAIN_THRESHOLD if threshold is None else threshold,
        playbooks_url=settings.playbooks_url,
    )


def missing_labels(services: Services, group: WorkingGroup) -> list[str] | None:
    """The labels of the parties missing from ``group`` (for the digest); ``None`` when
    the group has no map (no topic, nothing in the library, no index)."""
    with services.session() as session:
        members = members_of(session, group)
    found = group_map(services, group, members)
    if found.status != "ok":
        return None
    return [entry.label for entry in found.missing]
