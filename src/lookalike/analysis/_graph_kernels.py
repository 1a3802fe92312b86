"""Compiled (numba) search kernels over a symmetric CSR graph: bidirectional Dijkstra,
bidirectional BFS under a weight limit, hop-limited Bellman-Ford.

Private: no input validation. Graphs are ``indptr, indices, data`` of a symmetric CSR
matrix with positive weights; node ids are row numbers. Every kernel returns the path
as an int64 array of rows from ``s`` to ``t``, empty when there is none.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

__all__ = [
    "bidirectional_bfs",
    "bidirectional_dijkstra",
    "hop_limited_shortest",
    "tree_bottleneck",
]


@njit(cache=True)
def _join(pred_f, pred_b, meet):
    """The path s..meet (from forward predecessors) then meet..t (backward)."""
    left = []
    v = meet
    while v != -1:
        left.append(v)
        v = pred_f[v]
    out = np.empty(len(left), np.int64)
    for i in range(len(left)):
        out[i] = left[len(left) - 1 - i]
    right = []
    v = pred_b[meet]
    while v != -1:
        right.append(v)
        v = pred_b[v]
    res = np.empty(len(out) + len(right), np.int64)
    res[: len(out)] = out
    for i in range(len(right)):
        res[len(out) + i] = right[i]
    return res


@njit(cache=True)
def bidirectional_dijkstra(indptr, indices, data, s, t):
    """The path of least total weight from ``s`` to ``t`` (two searches that meet)."""
    n = len(indptr) - 1
    if s == t:
        return np.array([s], np.int64)
    dist = np.full((2, n), np.inf)
    pred = np.full((2, n), -1, np.int64)
    done = np.zeros((2, n), np.bool_)
    dist[0, s] = 0.0
    dist[1, t] = 0.0
    heaps = [[(0.0, s)], [(0.0, t)]]
    best = np.inf
    meet_f = -1  # the best path found so far is s..meet_f, meet_b..t
    meet_b = -1
    while len(heaps[0]) > 0 and len(heaps[1]) > 0:
        if heaps[0][0][0] + heaps[1][0][0] >= best:
            break
        side = 0 if heaps[0][0][0] <= heaps[1][0][0] else 1
        d, u = heapq.heappop(heaps[side])
        if done[side, u]:
            continue
        done[side, u] = True
        for e in range(indptr[u], indptr[u + 1]):
            v = np.int64(indices[e])
            nd = d + np.float64(data[e])
            if nd < dist[side, v]:
                dist[side, v] = nd
                pred[side, v] = u
                heapq.heappush(heaps[side], (nd, v))
            if nd + dist[1 - side, v] < best:
                best = nd + dist[1 - side, v]
                meet_f, meet_b = (u, v) if side == 0 else (v, u)
    if meet_f == -1:
        return np.empty(0, np.int64)
    pred_b = pred[1].copy()
    pred_b[meet_f] = meet_b
    return _join(pred[0], pred_b, meet_f)


@njit(cache=True)
def bidirectional_bfs(indptr, indices, data, s, t, max_weight):
    """A path with the fewest edges from ``s`` to ``t`` using only edges whose weight
    is <= ``max_weight`` (level by level from both ends, the smaller frontier first)."""
    n = len(indptr) - 1
    if s == t:
        return np.array([s], np.int64)
    seen = np.zeros(n, np.int8)  # 0 unseen, 1 forward, 2 backward
    pred_f = np.full(n, -1, np.int64)
    pred_b = np.full(n, -1, np.int64)
    seen[s] = 1
    seen[t] = 2
    front_f = [s]
    front_b = [t]
    while len(front_f) > 0 and len(front_b) > 0:
        forward = len(front_f) <= len(front_b)
        front = front_f if forward else front_b
        mine = 1 if forward else 2
        nxt = []
        for u in front:
            for e in range(indptr[u], indptr[u + 1]):
                if data[e] > max_weight:
                    continue
                v = np.int64(indices[e])
                if seen[v] == mine:
                    continue
                if seen[v] != 0:  # the two searches meet on the edge u-v
                    if forward:
                        pred_b[u] = v
                        return _join(pred_f, pred_b, u)
                    pred_f[u] = v
                    return _join(pred_f, pred_b, u)
                seen[v] = mine
                if forward:
                    pred_f[v] = u
                else:
                    pred_b[v] = u
                nxt.append(v)
        if forward:
            front_f = nxt
        else:
            front_b = nxt
    return np.empty(0, np.int64)


@njit(cache=True)
def hop_limited_shortest(indptr, indices, data, s, t, max_hops):
    """The path of least total weight from ``s`` to ``t`` with at most ``max_hops``
    edges (Bellman-Ford stopped after ``max_hops`` rounds)."""
    n = len(indptr) - 1
    if s == t:
        return np.array([s], np.int64)
    dist = np.full((max_hops + 1, n), np.inf)
    pred = np.full((max_hops + 1, n), -1, np.int64)
    dist[0, s] = 0.0
    active = [s]
    for h in range(1, max_hops + 1):
        dist[h] = dist[h - 1]
        pred[h] = -2  # "same as the row above"
        touched = []
        for u in active:
            du = dist[h - 1, u]
            for e in range(indptr[u], indptr[u + 1]):
                v = np.int64(indices[e])
                nd = du + np.float64(data[e])
                if nd < dist[h, v]:
                    if pred[h, v] == -2:
                        touched.append(v)
                    dist[h, v] = nd
                    pred[h, v] = u
        active = touched
        if len(active) == 0:
            break
    best_h = -1
    best = np.inf
    for h in range(max_hops + 1):
        if dist[h, t] < best:
            best = dist[h, t]
            best_h = h
    if best_h == -1:
        return np.empty(0, np.int64)
    out = [t]
    v, h = t, best_h
    while v != s:
        while pred[h, v] == -2:
            h -= 1
        u = pred[h, v]
        out.append(u)
        v, h = u, h - 1
    res = np.empty(len(out), np.int64)
    for i in range(len(out)):
        res[i] = out[len(out) - 1 - i]
    return res


@njit(cache=True)
def tree_bottleneck(parent, depth, weight, s, t):
    """The largest edge weight on the path from ``s`` to ``t`` in a rooted tree; -1.0
    when they are not in the same tree."""
    best = 0.0
    while s != t:
        if depth[s] >= depth[t]:
            if parent[s] < 0:
                return -1.0
            best = max(best, weight[s])
            s = parent[s]
        else:
            if parent[t] < 0:
                return -1.0
            best = max(best, weight[t])
            t = parent[t]
    return best
