"""The model's files on disk: a content hash that names what the vectors depend on, and an
atomic write for what is cached beside them. Plain Python, shared by both embedders."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

_HASH_CHUNK = 1 << 20


def model_hash(model_dir: Path, memo_dir: Path | None = None) -> str:
    """SHA-256 over the model folder's files (relative path and bytes, sorted).

    Hashing ~90 MB takes about half a second, so with ``memo_dir`` the result is remembered
    under a key of the files' paths, sizes and modification times.
    """
    files = sorted(p for p in model_dir.rglob("*") if p.is_file())
    memo = None
    if memo_dir is not None:
        stats = hashlib.sha256()
        for path in files:
            info = path.stat()
            stats.update(
                f"{path.relative_to(model_dir)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode()
            )
        stats.update(str(model_dir.resolve()).encode())
        memo = memo_dir / "hashes" / stats.hexdigest()[:32]
        try:
            found = memo.read_text(encoding="ascii").strip()
        except OSError:
            found = ""
        if len(found) == 64:
            return found
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(model_dir).as_posix()).encode() + b"\0")
        with path.open("rb") as handle:
            while block := handle.read(_HASH_CHUNK):
                digest.update(block)
        digest.update(b"\0")
    value = digest.hexdigest()
    if memo is not None:
        with contextlib.suppress(OSError):  # a read-only data dir costs the hash next time
            write_atomically(memo, value.encode("ascii"))
    return value


def dictionary_words(model_dir: Path) -> frozenset[str]:
    """The whole words of the model's WordPiece vocabulary (``vocab.txt``): ~20,000 common
    English words ("precedent", "retirement", "chili"), without word pieces (``##ing``),
    reserved tokens or punctuation. Empty when the model has no such file (another tokenizer,
    a test's fake model): the speller then knows only the library's own words."""
    try:
        lines = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(word for word in lines if len(word) >= 2 and word.isalpha() and word.islower())


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, fsynced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
