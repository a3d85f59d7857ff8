"""Exact mentee-to-mentor assignment with mentor capacities and a lexicographic objective.

`assign` first matches as many mentees as possible, then (optionally) maximises the weakest
pair's score, then maximises the total score. Small programs are solved densely with
`scipy.optimize.linear_sum_assignment`; large ones on a sparse candidate graph whose optimality
for the full score matrix is proven by LP-dual pricing (and a König cover for the fairness step).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import (
    breadth_first_order,
    maximum_flow,
    min_weight_full_bipartite_matching,
)

__all__ = [
    "MENTORS_FULL",
    "NO_ALLOWED_MENTOR",
    "NO_MENTOR_CAPACITY",
    "SCORES_BELOW_MINIMUM",
    "Assignment",
    "SolverError",
    "assign",
]

# Why a mentee stayed unmatched (codes; explain.py turns them into sentences).
NO_ALLOWED_MENTOR = "no_allowed_mentor"
NO_MENTOR_CAPACITY = "no_mentor_capacity"
SCORES_BELOW_MINIMUM = "scores_below_minimum"
MENTORS_FULL = "mentors_full"

# Above this many matrix cells (mentees x (slots + spare columns)) the sparse path is used.
DENSE_CELL_LIMIT = 250_000
INITIAL_CANDIDATES = 12
ADDED_PER_MENTEE = 8
BLOCK_CELLS = 4_000_000
MAX_PRICING_ROUNDS = 60

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class SolverError(RuntimeError):
    """Internal consistency check failed (never expected; triggers the dense fallback)."""


@dataclass(frozen=True)
class Assignment:
    """Result of `assign`.

    mentor: (n_mentees,) int64, the mentor index of each mentee or -1 when unmatched.
    total: sum of the scores of all pairs (locked pairs included).
    n_matched: number of matched mentees (locked included).
    min_pair_score: weakest pair's score, nan when nobody is matched.
    reasons: (n_mentees,) reason code per mentee, "" when matched (see the module constants).
    certified: optimality is proven (dense exact solve, or sparse solve with a dual certificate).
    method: "dense", "sparse" or "empty".
    pricing_rounds: sparse path only: how many times the candidate graph was re-solved.
    candidate_pairs: sparse path only: size of the final candidate graph.
    """

    mentor: IntArray
    total: float
    n_matched: int
    min_pair_score: float
    reasons: tuple[str, ...]
    certified: bool
    method: str
    pricing_rounds: int = 0
    candidate_pairs: int = 0

    @property
    def unmatched(self) -> dict[int, str]:
        """Unmatched mentee index -> reason code."""
        return {i: r for i, r in enumerate(self.reasons) if r}

    def pairs(self) -> list[tuple[int, int]]:
        """Matched (mentee, mentor) pairs in mentee order."""
        return [(int(i), int(j)) for i, j in enumerate(self.mentor) if j >= 0]


def assign(
    scores: npt.ArrayLike,
    capacity: npt.ArrayLike,
    *,
    allowed: npt.ArrayLike | None = None,
    min_score: float | None = None,
    fairness: bool = False,
    locked: npt.ArrayLike | None = None,
    method: str = "auto",
) -> Assignment:
    """Optimal assignment of mentees to mentors.

    scores: (n_mentees, n_mentors) float in [0, 1].
    capacity: (n_mentors,) int >= 0, how many mentees each mentor takes.
    allowed: optional (n_mentees, n_mentors) bool mask of permitted pairs.
    min_score: optional; pairs scoring below it are not permitted.
    fairness: after the count, maximise the weakest pair's score before the total.
    locked: optional (k, 2) int array of (mentee, mentor) pairs kept as they are (existing
        mentorships); they use their mentor's capacity and count in the objective, and are not
        checked against `allowed` or `min_score`.
    method: "auto", "dense" or "sparse" (the latter two for tests and benchmarks).

    Objective (lexicographic, exact): most matched mentees; then, with `fairness`, the largest
    weakest-pair score; then the largest total score. The same input gives the same output.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"scores must be 2-D (n_mentees, n_mentors), got shape {s.shape}")
    n, m = s.shape
    cap = np.asarray(capacity)
    if cap.shape != (m,):
        raise ValueError(f"capacity must have shape ({m},), got {cap.shape}")
    if cap.size and (not np.issubdtype(cap.dtype, np.integer) and not np.all(cap == np.round(cap))):
        raise ValueError("capacity must hold integers")
    cap = cap.astype(np.int64)
    if np.any(cap < 0):
        raise ValueError("capacity must be >= 0")
    top = float(s.max()) if s.size else 0.0
    if s.size and (not np.all(np.isfinite(s)) or s.min() < 0.0 or top > 1.0):
        raise ValueError("scores must be finite and within [0, 1]")
    mask: BoolArray | None = None
    if allowed is not None:
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape != (n, m):
            raise ValueError(f"allowed must have shape {(n, m)}, got {mask.shape}")
    if method not in ("auto", "dense", "sparse"):
        raise ValueError(f"unknown method {method!r}")

    mentor = np.full(n, -1, dtype=np.int64)
    free_cap = np.minimum(cap, n)
    if locked is not None:
        pairs = np.asarray(locked, dtype=np.int64).reshape(-1, 2)
        if pairs.size:
            li, lj = pairs[:, 0], pairs[:, 1]
            if li.min() < 0 or li.max() >= n or lj.min() < 0 or lj.max() >= m:
                raise ValueError("locked pair index out of range")
            if np.unique(li).size != li.size:
                raise ValueError("a mentee appears in more than one locked pair")
            load = np.bincount(lj, minlength=m)
            over = np.flatnonzero(load > cap)
            if over.size:
                raise ValueError(f"locked pairs exceed the capacity of mentor {int(over[0])}")
            mentor[li] = lj
            free_cap = np.minimum(cap - load, n)
    rows = np.flatnonzero(mentor < 0)
    problem = _Problem(s, mask, min_score, rows, free_cap, cap, top)

    locked_rows = np.flatnonzero(mentor >= 0)
    locked_min = float(s[locked_rows, mentor[locked_rows]].min()) if locked_rows.size else math.inf

    if rows.size == 0 or m == 0 or not np.any(free_cap > 0):
        solved: IntArray = np.full(rows.size, -1, dtype=np.int64)
        used, rounds, n_candidates, certified = "empty", 0, 0, True
    else:
        slots = int(free_cap.sum())
        dense = method == "dense" or (
            method == "auto" and rows.size * (slots + rows.size) <= DENSE_CELL_LIMIT
        )
        if dense:
            solved = _solve_dense(problem, fairness, locked_min)
            used, rounds, n_candidates, certified = "dense", 0, 0, True
        else:
            try:
                solved, rounds, n_candidates = _solve_sparse(problem, fairness, locked_min)
                used, certified = "sparse", True
            except SolverError:
                solved = _solve_dense(problem, fairness, locked_min)
                used, rounds, n_candidates, certified = "dense", 0, 0, True
    mentor[rows] = solved
    matched = np.flatnonzero(mentor >= 0)
    pair_scores = s[matched, mentor[matched]]
    reasons = _reasons(problem, mentor)
    return Assignment(
        mentor=mentor,
        total=float(pair_scores.sum()),
        n_matched=int(matched.size),
        min_pair_score=float(pair_scores.min()) if matched.size else math.nan,
        reasons=reasons,
        certified=certified,
        method=used,
        pricing_rounds=rounds,
        candidate_pairs=n_candidates,
    )


class _Problem:
    """The free part of an instance: mentees `rows` (not locked) and remaining capacity."""

    def __init__(
        self,
        scores: FloatArray,
        allowed: BoolArray | None,
        min_score: float | None,
        rows: IntArray,
        capacity: IntArray,
        full_capacity: IntArray,
        top: float,
    ) -> None:
        self.scores = scores
        self.top = top  # largest score (sets the sparse path's grid)
        self.allowed = allowed
        self.min_score = min_score
        self.rows = rows
        self.capacity = capacity
        self.full_capacity = full_capacity
        self.n = int(rows.size)
        self.m = int(scores.shape[1])

    def blocks(self, floor: float | None = None) -> Iterator[tuple[int, FloatArray, BoolArray]]:
        """Yield (first local row, scores block, eligible block) over the free mentees.

        A pair is eligible when allowed, at or above min_score (and `floor`), and its mentor has
        free capacity.
        """
        step = max(1, BLOCK_CELLS // max(self.m, 1))
        for start in range(0, self.n, step):
            idx = self.rows[start : start + step]
            block = self.scores[idx]
            ok = np.broadcast_to(self.capacity > 0, block.shape).copy()
            if self.allowed is not None:
                ok &= self.allowed[idx]
            if self.min_score is not None:
                ok &= block >= self.min_score
            if floor is not None:
                ok &= block >= floor
            yield start, block, ok


# ----------------------------------------------------------------------------- dense path


def _solve_dense(problem: _Problem, fairness: bool, locked_min: float) -> IntArray:
    s = problem.scores[problem.rows]
    eligible = np.concatenate([ok for _, _, ok in problem.blocks()], axis=0)
    cap = problem.capacity
    ii, jj = np.nonzero(eligible)
    count, _, _ = _max_count(problem.n, problem.m, ii, jj, cap)
    if fairness and count:
        values = np.unique(s[ii, jj])
        floor = _bottleneck(problem.n, problem.m, ii, jj, s[ii, jj], values, cap, count)
        floor = min(floor, locked_min)
        eligible &= s >= floor
    return _dense_assignment(s, eligible, cap, count)


def _dense_assignment(s: FloatArray, eligible: BoolArray, cap: IntArray, count: int) -> IntArray:
    """Max total among assignments of exactly `count` (the maximum) pairs.

    Slot expansion plus `n - count` shared "unmatched" columns: every row must be assigned, so
    exactly `count` real pairs are used and no big-M constant is needed.
    """
    n, _ = s.shape
    owner = np.repeat(np.arange(cap.size), cap)
    cost = np.where(eligible[:, owner], -s[:, owner], np.inf)
    spare = n - count
    if spare:
        cost = np.concatenate([cost, np.zeros((n, spare))], axis=1)
    row, col = linear_sum_assignment(cost)
    result = np.full(n, -1, dtype=np.int64)
    real = col < owner.size
    result[row[real]] = owner[col[real]]
    if int(real.sum()) != count:
        raise SolverError("dense assignment did not reach the maximum count")
    return result


# ----------------------------------------------------------------------------- counting


def _flow_graph(
    n: int, m: int, ii: IntArray, jj: IntArray, cap: IntArray
) -> tuple[sp.csr_array, int, int]:
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), ii, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + jj, np.full(m, sink)])
    caps = np.concatenate([np.ones(n), np.ones(ii.size), cap]).astype(np.int32)
    size = n + m + 2
    graph = sp.csr_array((caps, (tails, heads)), shape=(size, size))
    graph.sum_duplicates()
    return graph, source, sink


def _max_count(
    n: int, m: int, ii: IntArray, jj: IntArray, cap: IntArray
) -> tuple[int, BoolArray, BoolArray]:
    """Largest number of mentees matchable on the arcs (ii, jj), and a minimum König cover.

    Returns (count, mentee_reached, mentor_reached): the cover is the mentees NOT reached from
    the source in the residual graph plus the mentors reached; every arc (i, j) with i reached
    and j not reached would contradict maximality.
    """
    graph, source, sink = _flow_graph(n, m, ii, jj, cap)
    result = maximum_flow(graph, source, sink, method="dinic")
    residual = (graph - result.flow).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    reached = np.zeros(n + m + 2, dtype=bool)
    reached[breadth_first_order(residual, source, directed=True, return_predecessors=False)] = True
    return int(result.flow_value), reached[:n], reached[n : n + m]


def _bottleneck(
    n: int,
    m: int,
    ii: IntArray,
    jj: IntArray,
    values: FloatArray,
    distinct: FloatArray,
    cap: IntArray,
    count: int,
) -> float:
    """Largest threshold t among `distinct` such that arcs with value >= t still match `count`."""
    lo, hi = 0, distinct.size - 1  # distinct[lo] always works (all arcs)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = values >= distinct[mid]
        c, _, _ = _max_count(n, m, ii[keep], jj[keep], cap)
        if c >= count:
            lo = mid
        else:
            hi = mid - 1
    return float(distinct[lo])


# ----------------------------------------------------------------------------- sparse path


def _grid_bits(n: int, m: int) -> int:
    """Bits of score resolution so that every dual quantity is an exact integer in float64."""
    return max(20, min(40, 50 - math.ceil(math.log2(n + m + 3))))


def _grid_exponent(top: float, q: int) -> int:
    """Largest p with top * 2**p <= 2**q: the score grid is 2**-p.

    Relative to the largest score rather than to 1, so that a program whose scores are all
    small keeps q bits of resolution instead of rounding to a handful of grid steps.
    """
    if top <= 0.0:
        return q
    mantissa, exponent = math.frexp(top)  # top = mantissa * 2**exponent, mantissa in [0.5, 1)
    if mantissa == 0.5:
        exponent -= 1  # top is a power of two: top * 2**(q - exponent) == 2**q exactly
    return q - exponent


def _on_grid(values: FloatArray, p: int) -> FloatArray:
    """rint(values * 2**p), exact scaling (p may exceed 1023 when every score is subnormal)."""
    if p > 1000:
        values = values * math.ldexp(1.0, p - 1000)
        p = 1000
    return np.rint(values * math.ldexp(1.0, p))


def _solve_sparse(
    problem: _Problem, fairness: bool, locked_min: float
) -> tuple[IntArray, int, int]:
    floor: float | None = None
    rounds_total = 0
    ii, jj = _top_candidates(problem, INITIAL_CANDIDATES, None)
    if fairness:
        count, ii, jj, rounds = _certified_count(problem, ii, jj, None)
        rounds_total += rounds
        if count:
            floor, ii, jj, rounds = _certified_bottleneck(problem, ii, jj, count)
            rounds_total += rounds
            floor = min(floor, locked_min)
            keep = problem.scores[problem.rows[ii], jj] >= floor
            ii, jj = ii[keep], jj[keep]
    solved, ii, jj, rounds = _certified_assignment(problem, ii, jj, floor)
    rounds_total += rounds
    return solved, rounds_total, int(ii.size)


def _top_candidates(problem: _Problem, k: int, floor: float | None) -> tuple[IntArray, IntArray]:
    """Each mentee's k best eligible mentors and each mentor's k best eligible mentees.

    The mentor side matters when many mentees prefer the same few mentors: without it the
    candidate graph may leave most mentors unreachable and pricing needs many rounds.
    """
    m = problem.m
    all_i, all_j = [], []
    col_val = np.full((0, m), -1.0)
    col_idx = np.zeros((0, m), dtype=np.int64)
    for start, block, ok in problem.blocks(floor):
        height = block.shape[0]
        masked = np.where(ok, block, -1.0)
        kk = min(k, m)
        if kk < m:
            part = np.argpartition(-masked, kk - 1, axis=1)[:, :kk]
        else:
            part = np.broadcast_to(np.arange(m), masked.shape)
        local = np.repeat(np.arange(height), part.shape[1])
        cols = part.ravel()
        good = ok[local, cols]
        all_i.append(local[good] + start)
        all_j.append(cols[good])
        # running top-k per mentor column
        vals = np.concatenate([col_val, masked], axis=0)
        idx = np.concatenate(
            [col_idx, np.broadcast_to(np.arange(start, start + height)[:, None], masked.shape)],
            axis=0,
        )
        if vals.shape[0] > k:
            keep = np.argpartition(-vals, k - 1, axis=0)[:k]
            vals = np.take_along_axis(vals, keep, axis=0)
            idx = np.take_along_axis(idx, keep, axis=0)
        col_val, col_idx = vals, idx
    good = col_val >= 0
    all_i.append(col_idx[good])
    all_j.append(np.broadcast_to(np.arange(m), col_val.shape)[good])
    return _dedupe(np.concatenate(all_i), np.concatenate(all_j), m)


def _dedupe(ii: IntArray, jj: IntArray, m: int) -> tuple[IntArray, IntArray]:
    key = np.unique(ii.astype(np.int64) * m + jj)
    return key // m, key % m


def _certified_count(
    problem: _Problem, ii: IntArray, jj: IntArray, floor: float | None
) -> tuple[int, IntArray, IntArray, int]:
    """Maximum count over all eligible pairs, proven by a König cover that covers every pair."""
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        count, mentee_reached, mentor_reached = _max_count(
            problem.n, problem.m, ii, jj, problem.capacity
        )
        add_i, add_j = _uncovered(problem, mentee_reached, mentor_reached, floor, strict=False)
        if add_i.size == 0:
            return count, ii, jj, rounds
        ii, jj = _dedupe(np.concatenate([ii, add_i]), np.concatenate([jj, add_j]), problem.m)
    raise SolverError("count certificate did not converge")


def _uncovered(
    problem: _Problem,
    mentee_reached: BoolArray,
    mentor_reached: BoolArray,
    floor: float | None,
    strict: bool,
) -> tuple[IntArray, IntArray]:
    """Eligible pairs (score >= floor, or > floor when strict) that the cover misses."""
    add_i, add_j = [], []
    for start, block, ok in problem.blocks():
        reached = mentee_reached[start : start + block.shape[0]]
        bad = ok & reached[:, None] & ~mentor_reached[None, :]
        if floor is not None:
            bad &= (block > floor) if strict else (block >= floor)
        bi, bj = _top_per_row(block, bad, ADDED_PER_MENTEE)
        add_i.append(bi + start)
        add_j.append(bj)
    return np.concatenate(add_i), np.concatenate(add_j)


def _top_per_row(priority: FloatArray, bad: BoolArray, k: int) -> tuple[IntArray, IntArray]:
    """(row, col) of at most k entries per row where `bad`, the highest priority first."""
    rows_with = np.flatnonzero(bad.any(axis=1))
    if rows_with.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    sub = np.where(bad[rows_with], priority[rows_with], -np.inf)
    kk = min(k, sub.shape[1])
    if kk < sub.shape[1]:
        part = np.argpartition(-sub, kk - 1, axis=1)[:, :kk]
    else:
        part = np.broadcast_to(np.arange(sub.shape[1]), sub.shape)
    local = np.repeat(np.arange(rows_with.size), part.shape[1])
    cols = part.ravel()
    keep = bad[rows_with[local], cols]
    return rows_with[local[keep]], cols[keep]


def _certified_bottleneck(
    problem: _Problem, ii: IntArray, jj: IntArray, count: int
) -> tuple[float, IntArray, IntArray, int]:
    """Largest weakest-pair score among maximum-count assignments, with a König certificate.

    The threshold found on the candidate graph is a lower bound; it is the optimum when the
    pairs scoring above it cannot match `count` mentees in the full graph, which a cover of the
    candidate pairs above it proves when it also covers every eligible pair above it.
    """
    rows = problem.rows
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        values = problem.scores[rows[ii], jj]
        floor = _bottleneck(
            problem.n, problem.m, ii, jj, values, np.unique(values), problem.capacity, count
        )
        above = values > floor
        c, mentee_reached, mentor_reached = _max_count(
            problem.n, problem.m, ii[above], jj[above], problem.capacity
        )
        if c >= count:
            raise SolverError("bottleneck search inconsistent")
        add_i, add_j = _uncovered(problem, mentee_reached, mentor_reached, floor, strict=True)
        if add_i.size == 0:
            return floor, ii, jj, rounds
        ii, jj = _dedupe(np.concatenate([ii, add_i]), np.concatenate([jj, add_j]), problem.m)
    raise SolverError("bottleneck certificate did not converge")


def _certified_assignment(
    problem: _Problem, ii: IntArray, jj: IntArray, floor: float | None
) -> tuple[IntArray, IntArray, IntArray, int]:
    """Lexicographic (count, total) optimum over all eligible pairs scoring >= floor.

    Scores are put on an integer grid, s_ij -> rint(s_ij * 2**p) in [0, 2**q] with p the
    `_grid_exponent` of the largest score, so that the solve, the duals and the pricing test are
    exact integer arithmetic in float64; the count is made to dominate with a weight bonus
    M = (n + 1) * 2**q > n * 2**q. Candidate pairs are priced against the LP duals (u mentees,
    v mentors): a pair can improve the optimum only if M + s_ij > u_i + v_j. The total is
    optimal for the rounded scores, so within n * 2**-p of the optimum for the raw ones.
    """
    n, m = problem.n, problem.m
    q = _grid_bits(n, m)
    p = _grid_exponent(problem.top, q)
    bonus = (n + 1) * math.ldexp(1.0, q)
    rows = problem.rows
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        s_int = _on_grid(problem.scores[rows[ii], jj], p)
        weight = bonus + s_int
        mentor = _solve_candidates(n, m, ii, jj, weight, problem.capacity)
        u, v = _duals(n, m, ii, jj, weight, mentor, problem.capacity)
        u_free = u - bonus  # pricing: s_int > u_free_i + v_j
        add_i, add_j = [], []
        for start, block, ok in problem.blocks(floor):
            height = block.shape[0]
            gain = _on_grid(block, p) - (u_free[start : start + height, None] + v[None, :])
            bi, bj = _top_per_row(gain, ok & (gain > 0), ADDED_PER_MENTEE)
            add_i.append(bi + start)
            add_j.append(bj)
        new_i, new_j = np.concatenate(add_i), np.concatenate(add_j)
        if new_i.size == 0:
            return mentor, ii, jj, rounds
        ii, jj = _dedupe(np.concatenate([ii, new_i]), np.concatenate([jj, new_j]), m)
    raise SolverError("pricing did not converge")


def _solve_candidates(
    n: int, m: int, ii: IntArray, jj: IntArray, weight: FloatArray, cap: IntArray
) -> IntArray:
    """Max-weight b-matching on the candidate arcs (weights positive), exact for integer weights.

    Slot expansion of the candidate arcs only, plus one private "unmatched" column per mentee
    (weight 1; real arcs get weight + 1 so every weight stays non-zero).
    """
    degree = np.bincount(jj, minlength=m)
    slots = np.minimum(cap, degree)
    offset = np.concatenate([[0], np.cumsum(slots)])
    per_arc = slots[jj]
    arc = np.repeat(np.arange(ii.size), per_arc)
    within = np.arange(arc.size) - np.repeat(np.cumsum(per_arc) - per_arc, per_arc)
    cols = offset[jj[arc]] + within
    n_slots = int(offset[-1])
    count, _, _ = _max_count(n, m, ii, jj, cap)
    if count == n:
        # Everyone can be matched: a full row matching is the maximum count by itself, so
        # minimise (top - weight) >= 1 without unmatched columns or the bonus mattering.
        top = float(weight.max()) + 1.0
        graph = sp.csr_array((top - weight[arc], (ii[arc], cols)), shape=(n, n_slots))
        row, col = min_weight_full_bipartite_matching(graph)
    else:
        rows_all = np.concatenate([ii[arc], np.arange(n)])
        cols_all = np.concatenate([cols, n_slots + np.arange(n)])
        data = np.concatenate([weight[arc] + 1.0, np.ones(n)])
        graph = sp.csr_array((data, (rows_all, cols_all)), shape=(n, n_slots + n))
        row, col = min_weight_full_bipartite_matching(graph, maximize=True)
    owner = np.repeat(np.arange(m), slots)
    mentor = np.full(n, -1, dtype=np.int64)
    real = col < n_slots
    mentor[row[real]] = owner[col[real]]
    return mentor


def _duals(
    n: int,
    m: int,
    ii: IntArray,
    jj: IntArray,
    weight: FloatArray,
    mentor: IntArray,
    cap: IntArray,
) -> tuple[FloatArray, FloatArray]:
    """LP duals (u per mentee, v per mentor) proving `mentor` optimal on the candidate arcs.

    v is the least fixed point of v_j = max(0, max over unmatched arcs (i, j) of w_ij - u_i) on
    full mentors (0 on the others), with u_i = w_i,mentor(i) - v_mentor(i) for matched mentees and
    0 otherwise: shortest paths in the residual graph, computed by monotone label correcting.
    Raises SolverError when no such duals exist (the primal is then not optimal).
    """
    matched = mentor >= 0
    is_matched_arc = mentor[ii] == jj
    w_matched = np.zeros(n)
    w_matched[ii[is_matched_arc]] = weight[is_matched_arc]
    load = np.bincount(mentor[matched], minlength=m)
    full = load >= cap
    other = ~is_matched_arc
    oi, oj, ow = ii[other], jj[other], weight[other]
    order = np.argsort(oj, kind="stable")
    oi, oj, ow = oi[order], oj[order], ow[order]
    heads, starts = np.unique(oj, return_index=True)
    safe_mentor = np.where(matched, mentor, 0)
    v = np.zeros(m)
    for _ in range(m + 2):
        u = np.where(matched, w_matched - v[safe_mentor], 0.0)
        best = np.zeros(m)
        if oi.size:
            best[heads] = np.maximum.reduceat(ow - u[oi], starts)
        best = np.maximum(best, 0.0)
        if np.any(best[~full] > 0):
            raise SolverError("candidate solution is not optimal (free mentor is improvable)")
        new_v = np.where(full, best, 0.0)
        if np.array_equal(new_v, v):
            break
        v = new_v
    else:
        raise SolverError("duals did not converge")
    u = np.where(matched, w_matched - v[safe_mentor], 0.0)
    if np.any(u < 0):
        raise SolverError("candidate solution is not optimal (a pair is worth less than its slot)")
    return u, v


# ----------------------------------------------------------------------------- reasons


def _reasons(problem: _Problem, mentor: IntArray) -> tuple[str, ...]:
    reasons = [""] * mentor.size
    unmatched = np.flatnonzero(mentor < 0)
    if unmatched.size == 0:
        return tuple(reasons)
    s = problem.scores[unmatched]
    allowed = (
        problem.allowed[unmatched] if problem.allowed is not None else np.ones(s.shape, dtype=bool)
    )
    with_capacity = allowed & (problem.full_capacity > 0)[None, :]
    above = with_capacity
    if problem.min_score is not None:
        above = with_capacity & (s >= problem.min_score)
    for k, i in enumerate(unmatched):
        if not allowed[k].any():
            reasons[i] = NO_ALLOWED_MENTOR
        elif not with_capacity[k].any():
            reasons[i] = NO_MENTOR_CAPACITY
        elif not above[k].any():
            reasons[i] = SCORES_BELOW_MINIMUM
        else:
            reasons[i] = MENTORS_FULL
    return tuple(reasons)
