"""Build the retrieval ``Advisor`` from settings (shared by the CLI and the Slack app)."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from retrieval.answer import DEFAULT_ABSTAIN_THRESHOLD
from retrieval.documents import Corpus
from retrieval.embeddings import Embedder, SentenceTransformerEmbedder
from retrieval.engine import Advisor, SearchOptions
from retrieval.index import BuildReport


def search_options(settings: Settings) -> SearchOptions:
    threshold = settings.abstain_threshold
    return SearchOptions(
        top_k=settings.search_top_k,
        fusion=settings.fusion,
        rrf_k=settings.rrf_k,
        alpha=settings.convex_alpha,
        max_question_chars=settings.max_question_chars,
        abstain_threshold=DEFAULT_ABSTAIN_THRESHOLD if threshold is None else threshold,
        playbooks_url=settings.playbooks_url,
    )


def build_embedder(settings: Settings) -> Embedder:
    """The embedding model of ``ADVISOR_EMBEDDING_BACKEND`` (ONNX Runtime by default; its
    first use exports the model, the one time torch is imported)."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(
            settings.embedding_model,
            batch_size=settings.embedding_batch_size,
            threads=settings.embedding_threads,
            cache_dir=settings.resolved_model_cache_dir,
        )
    from retrieval.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(
        settings.embedding_model,
        cache_dir=settings.resolved_model_cache_dir,
        batch_size=settings.embedding_batch_size,
        threads=settings.embedding_threads,
    )


def configured_identity(settings: Settings) -> dict[str, str] | None:
    """The ``identity`` the configured embedder states (backend, model hash, precision; see
    ``retrieval.embeddings.same_vectors``), from the model's files alone: nothing is loaded,
    so ``advisor index`` can tell an up-to-date index in milliseconds. ``None`` for a model
    that is not a local folder, as ``SentenceTransformerEmbedder.identity`` says."""
    from retrieval.embeddings import resolve_model_path
    from retrieval.model_files import model_hash

    path = Path(resolve_model_path(settings.embedding_model))
    if not path.is_dir():
        return None
    return {
        "backend": settings.embedding_backend,
        "model_hash": model_hash(path, settings.resolved_model_cache_dir),
        "precision": "float32",
    }


def open_advisor(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    refresh: bool = True,
    progress: bool = False,
) -> tuple[Advisor, BuildReport | None, Corpus | None]:
    """Load (building or refreshing as needed) the index named by ``settings``."""
    return Advisor.open(
        playbooks_dir=settings.playbooks_dir,
        index_dir=settings.resolved_index_dir,
        embedder=embedder or build_embedder(settings),
        options=search_options(settings),
        refresh=refresh,
        progress=progress,
        max_file_bytes=settings.max_playbook_bytes,
    )
