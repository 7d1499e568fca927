"""The report groups unanswered questions by meaning with the bundled model: paraphrases of
one question land in one group, different questions in different groups (a handmade log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.curation.report import gap_groups
from retrieval.onnx_embedder import OnnxEmbedder
from storage.models import QuestionLog

pytestmark = pytest.mark.model
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

# Three unanswered questions, each asked in several wordings, and two loners.
LOG = [
    ("drones", "Can the police department fly drones over public protests?"),
    ("drones", "Are police allowed to use drones to watch demonstrations?"),
    ("drones", "police drone surveillance of protesters: is that allowed?"),
    ("lidar", "What does a lidar traffic sensor cost per intersection?"),
    ("lidar", "How much do lidar sensors for intersections cost?"),
    ("lidar", "price of LiDAR traffic sensors at each intersection"),
    ("wifi", "Can we sell data from the public wifi network to advertisers?"),
    ("wifi", "Is selling public Wi-Fi user data to ad companies allowed?"),
    ("snow", "Which vendor makes the best snowplow GPS trackers?"),
    ("union", "Do we need to bargain with the union before installing bodycams?"),
    # Same subjects as two groups above, different questions: they must stay apart.
    ("keep", "How long may we keep the video recorded by police drones?"),
    ("privacy", "Does lidar at intersections collect personal data?"),
]


def handmade_log() -> list[QuestionLog]:
    return [
        QuestionLog(
            id=i + 1,
            asked_at=T0 + timedelta(hours=i),
            user_id="UASKER01",
            surface="mention",
            question=text,
            abstained=True,
        )
        for i, (_topic, text) in enumerate(LOG)
    ]


def test_paraphrases_share_a_group_and_different_questions_do_not(
    onnx_embedder: OnnxEmbedder,
) -> None:
    topic_of = {text: topic for topic, text in LOG}
    groups = gap_groups(handmade_log(), embed=onnx_embedder.embed)
    as_topics = [{topic_of[text] for text in (group.newest, *group.examples)} for group in groups]
    assert all(len(topics) == 1 for topics in as_topics), as_topics  # no group mixes questions
    counts = {
        next(iter(topics)): group.count for topics, group in zip(as_topics, groups, strict=True)
    }
    assert counts == {
        "drones": 3,
        "lidar": 3,
        "wifi": 2,
        "snow": 1,
        "union": 1,
        "keep": 1,
        "privacy": 1,
    }
    assert [g.count for g in groups] == [3, 3, 2, 1, 1, 1, 1]  # biggest first
    lidar = next(g for g, t in zip(groups, as_topics, strict=True) if t == {"lidar"})
    assert lidar.newest == "price of LiDAR traffic sensors at each intersection"  # newest wording
    assert lidar.newest_at == T0 + timedelta(hours=5)
    assert set(lidar.examples) == {LOG[3][1], LOG[4][1]}
