"""Answer composition and the Advisor facade, on the small corpus with the fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.answer import ComposeOptions, Weights, compose_answer
from retrieval.engine import Advisor, SearchOptions
from retrieval.errors import IndexError_, QuestionError
from tests.fakes.corpus import write_doc
from tests.fakes.embedder import HashEmbedder
from tests.retrieval.conftest import OpenAdvisor, advisor_over


@pytest.fixture
def advisor(corpus_dir: Path, tmp_path: Path) -> Advisor:
    opened, report, _ = Advisor.open(
        playbooks_dir=corpus_dir,
        index_dir=tmp_path / "idx",
        embedder=HashEmbedder(),
        options=SearchOptions(abstain_threshold=0.2),
    )
    assert report is not None and report.written  # built on first use
    return opened


def test_answer_is_grounded_cited_and_has_actions_and_peers(advisor: Advisor) -> None:
    answer = advisor.ask("How long should camera footage retention be, and who approves a hold?")
    assert not answer.abstained
    assert answer.sentences and answer.citations
    numbers = {c.number for c in answer.citations}
    assert numbers == set(range(1, len(answer.citations) + 1))
    for sentence in answer.sentences:
        assert sentence.citation in numbers
        cited = answer.citations[sentence.citation - 1]
        chunk_texts = [h.chunk.text for h in answer.hits if h.chunk.doc_id == cited.doc_id]
        assert any(sentence.text.split()[0] in t for t in chunk_texts)
    assert len({s.text for s in answer.sentences}) == len(answer.sentences)
    assert answer.actions
    assert all(answer.citations[a.citation - 1].section == "Actions" for a in answer.actions)
    assert any("retention" in a.text or "default" in a.text for a in answer.actions)
    assert answer.documents_searched == 3


def test_a_question_about_a_peer_city_opens_with_its_summary(advisor: Advisor) -> None:
    answer = advisor.ask(
        "Which city has a surveillance ordinance with council votes on each technology?"
    )
    assert not answer.abstained
    opening = answer.sentences[0]
    assert opening.text == "Seattle made departments get council approval for surveillance tools."
    cited = answer.citations[opening.citation - 1]
    assert (cited.kind, cited.city, cited.section) == ("case-note", "Seattle, WA, USA", "")
    assert cited.sources == ("https://www.seattle.gov/tech",)
    assert cited.url is None  # no ADVISOR_PLAYBOOKS_URL: renderers show the path instead
    assert cited.path == "case-notes/seattle.md"
    assert all(p.summary != opening.text for p in answer.peers)  # never said twice


def test_citations_link_to_the_playbook_heading_when_a_base_url_is_set(
    open_advisor: OpenAdvisor,
) -> None:
    advisor = open_advisor(playbooks_url="https://git.example.org/city/playbooks/")
    answer = advisor.ask("Who approves an evidence hold on camera footage?")
    urls = {c.section: c.url for c in answer.citations if c.doc_id == "footage-retention"}
    assert urls["Setting the default › Evidence holds"] == (
        "https://git.example.org/city/playbooks/guides/retention.md#evidence-holds"
    )


def test_related_sections_are_never_quoted(advisor: Advisor) -> None:
    answer = advisor.ask("Seattle related links")
    assert all("[Seattle]" not in s.text for s in answer.sentences)


def test_an_unrelated_question_is_refused_as_off_topic(advisor: Advisor) -> None:
    answer = advisor.ask("chili cookoff recipe")
    assert answer.abstained and answer.refusal == "off-topic"
    assert answer.sentences == () and answer.citations == ()
    assert answer.closest_topics == ()  # nothing near enough to name
    assert answer.confidence < 0.3


def test_a_question_naming_things_the_library_never_mentions_is_too_specific(
    advisor: Advisor,
) -> None:
    plain = advisor.ask("how long should camera footage retention be")
    assert not plain.abstained
    named = advisor.ask("how long does Tacoma keep Genetec camera footage retention")
    assert named.abstained and named.refusal == "too-specific"
    assert named.confidence >= 0.3 and named.closest_topics


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_refused(advisor: Advisor, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        advisor.ask(question)


def test_huge_question_is_refused(advisor: Advisor) -> None:
    with pytest.raises(QuestionError, match="20,000 characters"):
        advisor.ask("x" * 20_000)


def test_thread_context_steers_a_vague_follow_up(advisor: Advisor) -> None:
    alone = advisor.search("what about holds?")
    followed = advisor.search(
        "what about holds?", context=["how long should we keep camera footage retention"]
    )
    assert followed[0].chunk.doc_id == "footage-retention"
    assert [h.chunk.id for h in alone] != [h.chunk.id for h in followed]


def test_answer_json_has_no_hit_objects(advisor: Advisor) -> None:
    data = advisor.ask("camera footage retention").to_dict()
    assert "hits" not in data and data["hit_chunk_ids"]


def test_index_from_other_model_is_refused(
    corpus_dir: Path, tmp_path: Path, advisor: Advisor
) -> None:
    with pytest.raises(IndexError_):
        Advisor(advisor.index, HashEmbedder(name="another"))


def test_open_refuses_an_index_built_by_another_model_and_keeps_it(
    corpus_dir: Path, tmp_path: Path, advisor: Advisor
) -> None:
    before = sorted(p.name for p in (tmp_path / "idx").iterdir())
    with pytest.raises(IndexError_, match="run `advisor index`"):
        Advisor.open(
            playbooks_dir=corpus_dir,
            index_dir=tmp_path / "idx",
            embedder=HashEmbedder(name="another"),
        )
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == before


def test_open_refreshes_only_when_files_changed(
    corpus_dir: Path, tmp_path: Path, advisor: Advisor
) -> None:
    embedder = HashEmbedder()
    _, report, corpus = Advisor.open(
        playbooks_dir=corpus_dir, index_dir=tmp_path / "idx", embedder=embedder
    )
    # Current by the files' hashes: no playbook is even parsed (issue 15, cold start).
    assert report is None and corpus is None and embedder.embedded == []
    (corpus_dir / "guides" / "charter.md").write_text(
        (corpus_dir / "guides" / "charter.md").read_text() + "\nA new closing paragraph.\n"
    )
    _, report, corpus = Advisor.open(
        playbooks_dir=corpus_dir, index_dir=tmp_path / "idx", embedder=embedder
    )
    assert report is not None and report.changed == ("guides/charter.md",)
    assert corpus is not None and len(corpus.documents) == 3


def test_direct_answer_skips_meta_sentences_and_spreads_across_chunks(tmp_path: Path) -> None:
    root = tmp_path / "playbooks"
    front = "title: Camera retention\nkind: playbook\nupdated: 2026-01-01\nreview_by: 2099-01-01\n"
    body = (
        "This playbook is for anyone deciding camera footage retention periods.\n\n"
        "## Retention\n\n"
        "Camera footage retention should default to thirty days. "
        "Camera footage retention beyond that needs a written hold. "
        "Camera footage retention holds expire after the case closes. "
        "Camera footage retention is audited every quarter.\n\n"
        "## Agreement\n\n"
        "Police and IT agreed on camera footage retention after pricing storage.\n"
    )
    write_doc(root, "guides/retention.md", front, body)
    answer = advisor_over(root, tmp_path / "idx", threshold=0.1).ask("camera footage retention")
    texts = [s.text for s in answer.sentences]
    assert not any(t.startswith("This playbook") for t in texts)
    by_section = [answer.citations[s.citation - 1].section for s in answer.sentences]
    assert by_section.count("Retention") == 2
    assert "Agreement" in by_section


def test_a_shown_sentence_brings_the_next_ones_that_carry_its_story_on(
    corpus_dir: Path, open_advisor: OpenAdvisor
) -> None:
    write_doc(
        corpus_dir,
        "case-notes/columbus.md",
        "title: Columbus shuttle\nkind: case-note\ncity: Columbus, OH, USA\n"
        "sources: [https://example.org/columbus]\n",
        "Columbus ran a pilot.\n\n## The shuttle\n\n"
        "The self-driving shuttle began service in Linden in February 2020. "
        "Shuttle service was halted two weeks later, after a sudden stop hurt a rider. "
        "The vehicles then delivered food boxes and masks.\n",
    )
    answer = open_advisor().ask("When did the Columbus self-driving shuttle begin service?")
    (shown,) = [s for s in answer.sentences if "shuttle began service" in s.text]
    assert shown.text.startswith(  # one point, one citation: the story and what came of it
        "The self-driving shuttle began service in Linden in February 2020. "
        "Shuttle service was halted two weeks later"
    )


def _incident_guide(tmp_path: Path) -> Advisor:
    root = tmp_path / "playbooks"
    write_doc(
        root,
        "guides/incidents.md",
        "title: Device incidents\nkind: playbook\nupdated: 2026-01-01\nreview_by: 2099-01-01\n",
        "Settle incident roles before the incident.\n\n"
        "## Incident roles\n\n"
        "When ransomware hits traffic cameras overnight, whoever answers the phone decides. "
        "A ransomware night on traffic cameras once kept a city dark for days.\n\n"
        "| Task | Security office | Vendor |\n|---|---|---|\n"
        "| Detect and triage | Leads | Reports anything it sees |\n"
        "| Isolate devices from the network | Leads | Supports |\n"
        "| Restore service | Supports | Leads |\n\n"
        "## Budget\n\n"
        "Budget the camera replacement cycle for the budget office every spring. "
        "A budget line for replacement keeps cameras patched.\n",
    )
    return advisor_over(root, tmp_path / "idx", threshold=0.1)


def test_a_table_answers_for_the_section_the_question_matches_in_its_own_order(
    tmp_path: Path,
) -> None:
    answer = _incident_guide(tmp_path).ask(
        "ransomware hit our traffic cameras overnight, who do we call first?"
    )
    texts = [s.text for s in answer.sentences]
    rows = [t for t in texts if " — " in t]
    assert rows == [  # every row, read as a line, in the table's order, one after another
        "Detect and triage — Security office: Leads; Vendor: Reports anything it sees.",
        "Isolate devices from the network — Security office: Leads; Vendor: Supports.",
        "Restore service — Security office: Supports; Vendor: Leads.",
    ]
    first = texts.index(rows[0])
    assert texts[first : first + 3] == rows
    assert {
        answer.citations[s.citation - 1].section for s in answer.sentences if s.text in rows
    } == {"Incident roles"}


def test_a_table_in_a_section_the_question_does_not_match_stays_out(tmp_path: Path) -> None:
    answer = _incident_guide(tmp_path).ask("how do we budget the camera replacement cycle?")
    assert not answer.abstained
    assert not [s.text for s in answer.sentences if " — " in s.text]


def test_a_case_sentence_that_does_not_say_where_it_happened_is_named_after_its_place(
    open_advisor: OpenAdvisor,
) -> None:
    answer = open_advisor().ask("Does a working group of community members review technology?")
    (shown,) = [s for s in answer.sentences if "community members reviews" in s.text]
    assert answer.citations[shown.citation - 1].doc_id == "case-notes-seattle"
    assert shown.text == (  # the playbook's words, as written
        "A working group of community members reviews each technology before the council votes."
    )
    assert shown.place == "Seattle"
    assert shown.shown == f"Seattle: {shown.text}"
    # a sentence that names its place, or an answer about that very case, has none
    assert all(s.place is None for s in answer.sentences if "Seattle" in s.text)
    about = open_advisor().ask("Did Seattle have a working group of community members?")
    assert [s.place for s in about.sentences] == [None] * len(about.sentences)


def test_a_sentence_restating_the_case_summary_is_not_shown_under_it(
    corpus_dir: Path, open_advisor: OpenAdvisor
) -> None:
    seattle = corpus_dir / "case-notes" / "seattle.md"
    seattle.write_text(
        seattle.read_text().replace(
            "The council required impact reports",
            "Seattle made departments get council approval for surveillance tools and "
            "technology. The council required impact reports",
        )
    )
    answer = open_advisor().ask(
        "Which city has a surveillance ordinance with council votes on each technology?"
    )
    assert answer.sentences[0].text.startswith("Seattle made departments get council approval")
    rest = " ".join(s.text for s in answer.sentences[1:])
    assert "Seattle made departments" not in rest
    assert "impact reports" in rest


class _Spans(HashEmbedder):
    """The fake embedder, recording the slices ``embed_spans`` pools (``embedded`` records
    every text a model pass reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.pooled: list[str] = []

    def embed_spans(self, texts, spans, *, progress=False):  # type: ignore[no-untyped-def]
        self.pooled += [t[a:b] for t, s in zip(texts, spans, strict=True) for a, b in s]
        return super().embed_spans(texts, spans, progress=progress)


def test_a_question_of_several_parts_is_embedded_in_one_pass(advisor: Advisor) -> None:
    """Each part's vector is pooled over its own words in the one pass over the whole query
    (after the thread's context), not embedded as a text of its own."""
    spans = _Spans()
    advisor.embedder = spans
    question = "For camera footage: how long do we keep it, and who can see it?"
    evidence = advisor.evidence(question, context=["we are writing a retention policy"])
    assert spans.embedded == ["we are writing a retention policy\n" + question]  # one pass
    assert spans.pooled == ["For camera footage: how long do we keep it", "who can see it"]
    parts = evidence.compose["part_vectors"]
    assert parts.shape == (2, spans.dimension)
    assert np.allclose(parts[1], spans._vector("who can see it"))
    spans.embedded.clear()
    single = advisor.evidence("how long do we keep camera footage?")
    assert spans.embedded == ["how long do we keep camera footage?"]
    assert single.compose["part_vectors"] is None


def _springfield(tmp_path: Path) -> Advisor:
    root = tmp_path / "playbooks"
    write_doc(
        root,
        "case-notes/springfield.md",
        "title: Springfield's pole sensors\nkind: case-note\ncity: Springfield\n"
        'summary: "Springfield put sensors on poles in 2019."\n'
        "updated: 2026-01-01\nreview_by: 2099-01-01\n",
        "Springfield put sensors on poles in 2019.\n\n"
        "## What happened\n\n"
        "The sensors on poles were counted by the parks office every spring.\n\n"
        "## Collective-action lesson\n\n"
        "The sensors on poles were paid for by the parks office every year.\n",
    )
    return advisor_over(root, tmp_path / "idx", threshold=0.1)


def _body(advisor: Advisor, question: str, lesson: float | None = None) -> list[str]:
    """The answer's sentences for ``question``, with the lesson weight as given."""
    evidence = advisor.evidence(question)
    weights = Weights() if lesson is None else Weights(lesson=lesson)
    options = ComposeOptions(abstain_threshold=0.1, max_sentences=2, weights=weights)
    return [s.text for s in compose_answer(**evidence.compose, options=options).sentences]


def test_a_case_notes_lesson_weighs_as_its_bottom_line_for_a_question_about_the_case(
    tmp_path: Path,
) -> None:
    advisor = _springfield(tmp_path)
    lesson = "The sensors on poles were paid for by the parks office every year."
    story = "The sensors on poles were counted by the parks office every spring."
    about_the_case = "Springfield: sensors on poles and the parks office, what did they learn?"
    assert _body(advisor, about_the_case)[1] == lesson
    assert _body(advisor, about_the_case, lesson=0.0)[1] == story  # the weight decides it
    # a "what do we do" question that does not name the place is answered from the guides:
    # the lesson is a case's, and weighs nothing extra there
    how_to = "What should we do about sensors on poles and the parks office?"
    assert _body(advisor, how_to) == _body(advisor, how_to, lesson=0.0)
