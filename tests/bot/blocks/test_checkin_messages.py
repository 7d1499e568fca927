"""Check-in Block Kit: buttons carry ids, user text is escaped, digests stay within limits."""

from __future__ import annotations

from datetime import date

from bot.blocks.checkin_messages import (
    ACTION_DONE,
    RESPONSE_BY_ACTION,
    checkin_message,
    digest_message,
    escalation_message,
)
from checkins.digest import Blocker, DigestContent, DigestRow


def test_checkin_dm_has_title_due_and_four_answers() -> None:
    text, blocks = checkin_message(
        checkin_id=42,
        group="Privacy WG",
        title="Draft <policy> & notes <!channel>",
        due=date(2026, 3, 6),
        today=date(2026, 3, 9),
    )
    body = str(blocks)
    assert "Draft &lt;policy&gt; &amp; notes &lt;!channel&gt;" in body
    assert "<!channel>" not in body and "<!channel>" not in text
    assert "2026-03-06" in body and "overdue by 3 days" in body
    buttons = blocks[-1]["elements"]
    assert {b["action_id"] for b in buttons} >= set(RESPONSE_BY_ACTION)
    assert all(b["value"] == "42" for b in buttons)
    assert next(b for b in buttons if b["action_id"] == ACTION_DONE)["style"] == "primary"


def test_escalation_mentions_owner_and_escapes_title() -> None:
    text, _ = escalation_message(
        group="G",
        title="<@U999> pwn",
        owner_user_id="UOWNER1",
        due=date(2026, 3, 1),
        days_overdue=8,
    )
    assert "<@UOWNER1>" in text and "&lt;@U999&gt;" in text and "8 days" in text


def test_digest_blocks_overdue_blockers_and_limits() -> None:
    rows = [
        DigestRow(i, f"item {i} <b>", "UOWNER1", date(2026, 3, 1), "open", "blocked", i % 2)
        for i in range(1, 400)
    ]
    content = DigestContent(
        group_name="Privacy",
        today=date(2026, 3, 13),
        rows=rows,
        blockers=[Blocker(1, "item 1", "UOWNER1", "legal <review>")],
        unreachable_owners=["UGONE1"],
    )
    text, blocks = digest_message(content)
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    body = str(blocks)
    assert "overdue" in body and "legal &lt;review&gt;" in body and "<@UGONE1>" in body
    assert "399 open" in text
