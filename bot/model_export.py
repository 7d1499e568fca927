"""``python -m bot.model_export``: export the embedding model to ONNX now (``make install``),
and save ONNX Runtime's optimized graph of it beside the export.

Otherwise the first command that needs the model exports it (about 15 s, the one time torch
is imported) and optimizes it (~0.5 s); afterwards ``advisor ask`` and ``advisor serve``
start without torch and load the optimized graph (``retrieval.onnx_embedder``).
"""

from __future__ import annotations

import sys
import time

from bot.settings import Settings


def main() -> None:
    from retrieval.errors import EmbeddingError
    from retrieval.onnx_embedder import ensure_onnx, ensure_optimized, model_directory

    settings = Settings()
    if settings.embedding_backend != "onnx":
        print("ADVISOR_EMBEDDING_BACKEND is not onnx: nothing to export")
        return
    started = time.perf_counter()
    try:
        path = ensure_onnx(settings.embedding_model, settings.resolved_model_cache_dir)
        optimized = ensure_optimized(path, model_directory(settings.embedding_model))
    except EmbeddingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"embedding model ready for ONNX Runtime: {path} ({time.perf_counter() - started:.1f}s)")
    if optimized is None:  # not an error: every session then optimizes the export itself
        print("no optimized graph could be saved beside it; sessions will optimize the export")
    else:
        print(f"optimized graph: {optimized.name}")


if __name__ == "__main__":
    main()
