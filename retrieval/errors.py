"""Errors raised by the retrieval package. Every message is one line a person can act on.

RetrievalError                 base class
 ├── QuestionError             empty, whitespace-only or over-long question
 ├── PlaybookError             one file failed to load (``path``, ``line``, ``fix``)
 ├── CorpusError               the playbooks dir is missing or holds no loadable file
 ├── IndexError_               the index dir is unusable (other model, newer format, corrupt)
 │    └── IndexDamaged         files missing, truncated or altered: `advisor index` repairs it
 └── EmbeddingError            the embedding model could not be loaded or run
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for retrieval failures."""


class QuestionError(RetrievalError):
    """The question cannot be searched as given."""


class PlaybookError(RetrievalError):
    """A playbook file is malformed. Carries where and how to fix it."""

    def __init__(self, path: str, line: int, message: str, fix: str = "") -> None:
        self.path, self.line, self.message, self.fix = path, line, message, fix
        text = f"{path}:{line}: {message}"
        super().__init__(f"{text} (fix: {fix})" if fix else text)


class CorpusError(RetrievalError):
    """The playbooks directory is missing or holds nothing loadable."""


class IndexError_(RetrievalError):
    """The persisted index cannot be used."""


class IndexDamaged(IndexError_):
    """The live generation is damaged (missing, truncated, altered or unreadable files).

    Nothing a person wrote is lost: ``advisor index`` rebuilds it from the playbooks.
    """

    def __init__(self, index_dir: object, what: str) -> None:
        self.what = what
        super().__init__(
            f"the index at {index_dir} is damaged ({what}); run `advisor index` to repair it"
        )


class EmbeddingError(RetrievalError):
    """The embedding model could not be loaded or run."""
