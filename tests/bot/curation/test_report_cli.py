"""``advisor report`` and ``advisor channels list`` in-process, on a seeded log, on both
backends (grouping by meaning with the real model: ``test_grouping_model.py``)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from storage.curation import record_person_request, resolve_person_request, set_channel_scope
from storage.engine import SessionFactory
from storage.questions import log_question, record_feedback
from tests.fakes.clock import FakeClock
from tests.fakes.corpus import PLAYBOOK_FRONT, write_doc
from tests.fakes.embedder import HashEmbedder
from tests.storage.helpers import T0

runner = CliRunner()
AT_T0 = CliContext(clock=FakeClock(T0), embedder=lambda settings: HashEmbedder())


def _front(title: str, review_by: str) -> str:
    return PLAYBOOK_FRONT.format(title=title, tags="governance").replace(
        "review_by: 2099-01-01", f"review_by: {review_by}"
    )


@pytest.fixture
def env(db_url: str, session_factory: SessionFactory, corpus_dir: Path) -> dict[str, str]:
    write_doc(
        corpus_dir,
        "guides/stale.md",
        _front("Stale guide", "2026-02-01"),
        "Old.\n\n## Part\n\nText.\n",
    )
    write_doc(
        corpus_dir,
        "guides/soon.md",
        _front("Soon guide", "2026-03-12"),
        "Due.\n\n## Part\n\nText.\n",
    )
    with session_factory() as session:

        def ask(text: str, days_ago: float, **fields: object) -> int:
            row = log_question(
                session,
                asked_at=T0 - timedelta(days=days_ago),
                user_id="UASKER01",
                surface="mention",
                question=text,
                **fields,  # type: ignore[arg-type]
            )
            assert row.id is not None
            return row.id

        ask("drone footage at protests", 3, abstained=True)
        ask("protests drone footage", 2, abstained=True)  # the same words: one group (fake model)
        ask("snowplow tracker vendors", 1, abstained=True)
        ask("ancient question", 60, abstained=True)  # outside --since 30d
        cited = ask(
            "how long do we keep footage?",
            1,
            cited_doc_ids=["footage-retention"],
            cited_sections=["footage-retention#Setting the default"],
        )
        record_feedback(
            session,
            question_log_id=cited,
            user_id="UASKER02",
            helpful=False,
            now=T0,
            reason="It ignores evidence holds",
        )
        open_one = record_person_request(session, question_log_id=cited, user_id="UASKER02", now=T0)
        done = record_person_request(session, question_log_id=cited, user_id="UASKER03", now=T0)
        assert open_one is not None and done is not None and done.request.id is not None
        resolve_person_request(session, request_id=done.request.id, resolved_by="UCUR1", now=T0)
        set_channel_scope(
            session, channel_id="CPOLICE01", updated_by="UADMIN001", now=T0, tags=["cameras"]
        )
    return {
        "ADVISOR_DATABASE_URL": db_url,
        "ADVISOR_PLAYBOOKS_DIR": str(corpus_dir),
        "ADVISOR_PLAYBOOKS_URL": "https://git.example.org/city/playbooks",
    }


def test_report_json_has_every_part(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", "--json"], env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["questions"], report["abstained"]) == (4, 3)
    assert [(g["count"], g["newest"]) for g in report["gaps"]] == [
        (2, "protests drone footage"),
        (1, "snowplow tracker vendors"),
    ]
    [unhelpful] = report["unhelpful"]
    assert unhelpful["documents"] == ["Camera footage retention"]
    assert unhelpful["sections"] == ["Camera footage retention › Setting the default"]
    assert unhelpful["comment"] == "It ignores evidence holds"
    assert [r["user_id"] for r in report["open_requests"]] == ["UASKER02"]  # the handled one is not
    assert [(r["title"], r["days"]) for r in report["overdue"]] == [("Stale guide", 29)]
    assert [(r["title"], r["days"]) for r in report["due_soon"]] == [("Soon guide", 10)]
    never = {c["title"] for c in report["never_cited"]}
    assert never == {
        "Working group charter",
        "Seattle surveillance ordinance",
        "Stale guide",
        "Soon guide",
    }
    sections = {c["section"] for c in report["never_cited_sections"]}
    assert sections == {"Why this fight happens", "Actions", "Related"}  # of the cited guide
    assert [(c["title"], c["count"]) for c in report["most_cited"]] == [
        ("Camera footage retention", 1)
    ]
    assert report["most_cited_sections"][0]["section"] == "Setting the default"
    assert report["notes"] == []


def test_report_text_links_to_the_playbooks(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report"], env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    assert "Questions I could not answer:" in result.output
    assert "“protests drone footage” (also: “drone footage at protests”) [2×" in result.output
    assert "<https://git.example.org/city/playbooks/guides/stale.md>" in result.output
    assert "comment: “It ignores evidence holds”" in result.output


def test_report_reads_only_what_the_retention_period_keeps(env: dict[str, str]) -> None:
    env = {**env, "ADVISOR_QUESTION_LOG_RETENTION_DAYS": "90"}
    result = runner.invoke(app, ["report", "--since", "26w", "--json"], env=env, obj=AT_T0)
    report = json.loads(result.stdout)
    assert report["abstained"] == 4  # the 60-day-old one is within 90 days
    assert report["since"].startswith("2025-12-02")  # 90 days, not 182
    assert "keeps 90 days" in report["notes"][0]


def test_a_bad_since_is_refused_with_exit_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", "--since", "a month"], env=env, obj=AT_T0)
    assert result.exit_code == 2
    assert "--since takes a number of days or weeks" in result.output


def test_channels_list(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["channels", "list", "--json"], env=env, obj=AT_T0)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["channel_id"], row["tags"], row["answer"]) == ("CPOLICE01", ["cameras"], True)
    text = runner.invoke(app, ["channels", "list"], env=env, obj=AT_T0)
    assert "CPOLICE01: answers on; tags cameras" in text.output
