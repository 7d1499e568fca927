"""Grouping similar questions by meaning (pure: vectors in, groups out).

Greedy, in the order given (newest first): a question joins the group whose mean vector it
is most similar to, if that cosine reaches ``threshold``, else starts a group. With the
bundled all-MiniLM-L6-v2, paraphrases of one question score 0.8 or more with each other,
while a different question on the same subject (lidar cost / lidar and personal data) scores
up to about 0.67 (``tests/bot/curation/test_grouping_model.py``); 0.72 sits between.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_GROUP_THRESHOLD = 0.72


def group_by_meaning(
    vectors: np.ndarray, *, threshold: float = DEFAULT_GROUP_THRESHOLD
) -> list[list[int]]:
    """Row indices of ``vectors`` (L2-normalized) in groups, each in input order; groups
    ordered by their first member."""
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for row in range(len(vectors)):
        vector = np.asarray(vectors[row], dtype=np.float32)
        best, best_score = -1, threshold
        for index, total in enumerate(sums):
            norm = float(np.linalg.norm(total))
            score = float(vector @ total) / norm if norm else 0.0
            if score >= best_score:
                best, best_score = index, score
        if best < 0:
            groups.append([row])
            sums.append(vector.copy())
        else:
            groups[best].append(row)
            sums[best] = sums[best] + vector
    return groups


def normalized(vectors: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.size == 0:
        return array.reshape(0, 0)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.where(norms == 0, 1.0, norms)
