"""Clusters and k scans survive a round trip through their named arrays."""

from __future__ import annotations

import io

import numpy as np

from lookalike.analysis import Clusters, KScan, k_medoids, scan_k


def unit_rows(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_clusters_round_trip_through_arrays():
    x, ids = unit_rows(30), np.array([f"i{n}" for n in range(30)], dtype=object)
    found = k_medoids(x, 3, random_state=0)
    back = Clusters.from_arrays(dict(np.load(_saved(found.to_arrays()))), random_state=0, ids=ids)
    assert back.labels.tolist() == found.labels.tolist()
    assert back.medoids.tolist() == found.medoids.tolist()
    assert (back.total_deviation, back.method) == (found.total_deviation, found.method)
    assert back.medoid_ids == [ids[m] for m in found.medoids]


def test_a_k_scan_round_trips_with_its_elbow():
    scan = scan_k(unit_rows(40), [1, 2, 3, 4, 5, 6], random_state=0)
    back = KScan.from_arrays(dict(np.load(_saved(scan.to_arrays()))))
    assert back.ks.tolist() == scan.ks.tolist() and back.elbow == scan.elbow
    assert np.array_equal(back.inertia, scan.inertia)


def _saved(arrays: dict[str, np.ndarray]) -> io.BytesIO:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    return buffer
