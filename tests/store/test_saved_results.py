"""Saved results: computed once per vectors, read back by a new Collection, computed
again when the vectors change; objects held in memory while their vectors stand."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.store import Embeddings, SavedResults


def embeddings(vectors) -> Embeddings:
    return Embeddings("m", np.array(["a", "b"], dtype=object), np.asarray(vectors, np.float32))


class Counted:
    def __init__(self, value: int) -> None:
        self.value = value

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"value": np.array(self.value)}

    @classmethod
    def from_arrays(cls, arrays) -> Counted:
        return cls(int(arrays["value"]))


def test_a_result_is_computed_once_for_the_same_vectors(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3)}

    first = SavedResults(tmp_path).arrays(embeddings(np.eye(2)), "r-k2", compute)
    again = SavedResults(tmp_path).arrays(embeddings(np.eye(2)), "r-k2", compute)  # read back
    assert first["x"].tolist() == again["x"].tolist() == [0, 1, 2]
    assert len(calls) == 1 and (tmp_path / "index" / "m" / "results" / "r-k2.npz").is_file()
    SavedResults(tmp_path).arrays(embeddings(np.eye(2)[::-1]), "r-k2", compute)
    assert len(calls) == 2


def test_a_result_name_with_a_slash_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"A result name uses letters, digits and \._=- only"):
        SavedResults(tmp_path).arrays(embeddings(np.eye(2)), "a/b", dict)


def test_a_held_object_stays_in_memory_while_its_vectors_do(tmp_path):
    built = []

    def build():
        built.append(1)
        return Counted(5)

    saved, emb = SavedResults(tmp_path), embeddings(np.eye(2))
    path = tmp_path / "index" / "m" / "counted.npz"
    first = saved.held(emb, path, build, Counted.from_arrays)
    assert saved.held(emb, path, build, Counted.from_arrays) is first
    again = SavedResults(tmp_path).held(embeddings(np.eye(2)), path, build, Counted.from_arrays)
    assert again is not first and again.value == 5 and len(built) == 1  # read from the file
    saved.held(embeddings(np.eye(2)[::-1]), path, build, Counted.from_arrays)
    assert len(built) == 2
