"""Exact mentee-to-mentor assignment with mentor capacities and a lexicographic objective.

`assign` first matches as many mentees as possible, then (optionally) maximises the weakest
pair's score, then maximises the total score. Small programs are solved densely with
`scipy.optimize.linear_sum_assignment`. Large ones are solved on a sparse candidate graph:

1. one pass over the score blocks keeps each mentee's best mentors (the k best chunks of a row)
   and a bound: every pair left out of that row scores at most theta_i;
2. a maximum flow of minimum cost on the candidate arcs (OR-Tools' cost scaling, mentor
   capacity on the sink arc, no slot expansion) and its LP duals (u mentees, v mentors >= 0);
3. LP-dual pricing: a left-out pair can improve the optimum only if M + s_ij > u_i + v_j, so a
   mentee is proven as soon as M + theta_i <= u_i + min(v); only the others are scored again,
   their improving pairs added, and the flow solved again. When nobody is left, the candidate
   optimum is the optimum of the whole matrix (bipartite flow LPs are integral).

The fairness step (weakest pair) is certified by a König cover instead. Scores may come from a
dense array or from a block source (`trellis.matching.factors.ScoreModel`), so a program of
100,000 x 50,000 never holds its 5e9 scores at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

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
BLOCK_CELLS = 2_000_000
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
    scores: npt.ArrayLike | ScoreBlocks,
    capacity: npt.ArrayLike,
    *,
    allowed: npt.ArrayLike | Callable[[IntArray], BoolArray] | None = None,
    min_score: float | None = None,
    fairness: bool = False,
    locked: npt.ArrayLike | None = None,
    method: str = "auto",
) -> Assignment:
    """Optimal assignment of mentees to mentors.

    scores: (n_mentees, n_mentors) float in [0, 1], or a block source with `shape` and
        `block(rows)` (`trellis.matching.factors.ScoreModel`) so that the whole matrix is never
        held: large programs are solved from blocks of rows.
    capacity: (n_mentors,) int >= 0, how many mentees each mentor takes.
    allowed: optional (n_mentees, n_mentors) bool mask of permitted pairs, or a function of an
        index array of mentees returning their rows of the mask.
    min_score: optional; pairs scoring below it are not permitted.
    fairness: after the count, maximise the weakest pair's score before the total.
    locked: optional (k, 2) int array of (mentee, mentor) pairs kept as they are (existing
        mentorships); they use their mentor's capacity and count in the objective, and are not
        checked against `allowed` or `min_score`. This is incremental matching for evergreen
        programs: lock the running pairs, forbid ended ones (`forbidden_pairs(...,
        previous_pairs=...)`), and newcomers are matched optimally around them.
    method: "auto", "dense" or "sparse" (the latter two for tests and benchmarks).

    Objective (lexicographic, exact): most matched mentees; then, with `fairness`, the largest
    weakest-pair score; then the largest total score. The same input gives the same output.
    """
    model: FloatArray | ScoreBlocks
    if hasattr(scores, "block") and hasattr(scores, "shape"):
        model = cast(ScoreBlocks, scores)
        if len(model.shape) != 2:
            raise ValueError(f"scores must be 2-D (n_mentees, n_mentors), got {model.shape}")
        n, m = (int(x) for x in model.shape)
    else:
        s = np.asarray(scores, dtype=np.float64)
        if s.ndim != 2:
            raise ValueError(f"scores must be 2-D (n_mentees, n_mentors), got shape {s.shape}")
        n, m = s.shape
        if s.size and (not np.all(np.isfinite(s)) or s.min() < 0.0 or s.max() > 1.0):
            raise ValueError("scores must be finite and within [0, 1]")
        model = s
    cap = np.asarray(capacity)
    if cap.shape != (m,):
        raise ValueError(f"capacity must have shape ({m},), got {cap.shape}")
    if cap.size and (not np.issubdtype(cap.dtype, np.integer) and not np.all(cap == np.round(cap))):
        raise ValueError("capacity must hold integers")
    cap = cap.astype(np.int64)
    if np.any(cap < 0):
        raise ValueError("capacity must be >= 0")
    mask: BoolArray | Callable[[IntArray], BoolArray] | None = None
    if callable(allowed):
        mask = allowed
    elif allowed is not None:
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape != (n, m):
            raise ValueError(f"allowed must have shape {(n, m)}, got {mask.shape}")
    if method not in ("auto", "dense", "sparse"):
        raise ValueError(f"unknown method {method!r}")

    mentor = np.full(n, -1, dtype=np.int64)
    free_cap = np.minimum(cap, n)
    locked_rows = np.zeros(0, dtype=np.int64)
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
            locked_rows = np.sort(li)
    rows = np.flatnonzero(mentor < 0)
    problem = _Problem(model, mask, min_score, rows, free_cap, cap)

    locked_values = problem.cell_values(locked_rows, mentor[locked_rows])
    locked_min = float(locked_values.min()) if locked_rows.size else math.inf

    values = np.zeros(0)
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
                solved, values, rounds, n_candidates = _solve_sparse(problem, fairness, locked_min)
                used, certified = "sparse", True
            except SolverError:
                solved = _solve_dense(problem, fairness, locked_min)
                used, rounds, n_candidates, certified = "dense", 0, 0, True
    mentor[rows] = solved
    if used != "sparse":
        chosen = np.flatnonzero(solved >= 0)
        values = problem.cell_values(rows[chosen], solved[chosen])
    pair_scores = np.concatenate([locked_values, values])
    reasons = _reasons(problem, mentor)
    return Assignment(
        mentor=mentor,
        total=math.fsum(pair_scores.tolist()),
        n_matched=int(pair_scores.size),
        min_pair_score=float(pair_scores.min()) if pair_scores.size else math.nan,
        reasons=reasons,
        certified=certified,
        method=used,
        pricing_rounds=rounds,
        candidate_pairs=n_candidates,
    )


class ScoreBlocks(Protocol):
    """Scores computed block by block (e.g. `trellis.matching.factors.ScoreModel`)."""

    shape: tuple[int, int]

    def block(self, rows: Any) -> npt.NDArray[Any]:
        """Scores of mentees `rows` (an index array) against every mentor."""
        ...


class _Problem:
    """The free part of an instance: mentees `rows` (not locked) and remaining capacity.

    Scores come from a dense array or from a block source; `allowed` is a dense mask or a
    function of an index array of mentees returning their rows of the mask.
    """

    def __init__(
        self,
        scores: FloatArray | ScoreBlocks,
        allowed: BoolArray | Callable[[IntArray], BoolArray] | None,
        min_score: float | None,
        rows: IntArray,
        capacity: IntArray,
        full_capacity: IntArray,
    ) -> None:
        self.scores = scores
        self.allowed = allowed
        self.min_score = min_score
        self.rows = rows
        self.capacity = capacity
        self.full_capacity = full_capacity
        self.n = int(rows.size)
        self.m = int(capacity.size)
        self.no_capacity = np.flatnonzero(capacity <= 0)

    def raw(self, mentees: IntArray) -> tuple[FloatArray, BoolArray | None]:
        """(scores, allowed or None) of these mentees (global indices), freshly allocated."""
        if isinstance(self.scores, np.ndarray):
            block = self.scores[mentees]
        else:
            block = np.array(self.scores.block(mentees), copy=None)
            if block.shape != (mentees.size, self.m):
                raise ValueError("the score source returned a block of the wrong shape")
        ok = None
        if self.allowed is not None:
            ok = self.allowed(mentees) if callable(self.allowed) else self.allowed[mentees]
        return block, ok

    def masked(self, local: IntArray, floor: float | None = None) -> FloatArray:
        """Scores of free mentees `local` with every ineligible pair set to -1: not allowed,
        below min_score (or `floor`), or a mentor without free capacity."""
        block, ok = self.raw(self.rows[local])
        if ok is not None:
            np.putmask(block, ~ok, -1.0)
        for limit in (self.min_score, floor):
            if limit is not None:
                np.putmask(block, block < limit, -1.0)
        if self.no_capacity.size:
            block[:, self.no_capacity] = -1.0
        return block

    def eligible_cells(
        self, r: IntArray, c: IntArray, values: FloatArray, ok: BoolArray | None
    ) -> BoolArray:
        """Which cells (row r of a block whose allowed rows are `ok`, mentor c) are eligible."""
        good = self.capacity[c] > 0
        if ok is not None:
            good &= ok[r, c]
        if self.min_score is not None:
            good &= values >= self.min_score
        return good

    def blocks(self, floor: float | None = None) -> Iterator[tuple[int, FloatArray]]:
        """(first local row, masked block) over all free mentees."""
        step = max(1, BLOCK_CELLS // max(self.m, 1))
        for start in range(0, self.n, step):
            yield start, self.masked(np.arange(start, min(self.n, start + step)), floor)

    def cell_values(self, mentees: IntArray, mentors: IntArray) -> FloatArray:
        """float64 scores at (mentee, mentor) cells, mentees in global indices."""
        if mentees.size == 0:
            return np.zeros(0)
        if isinstance(self.scores, np.ndarray):
            return np.asarray(self.scores[mentees, mentors], dtype=np.float64)
        out = np.empty(mentees.size)
        step = max(1, BLOCK_CELLS // max(self.m, 1))
        for start in range(0, mentees.size, step):
            part = slice(start, start + step)
            block = self.scores.block(mentees[part])
            out[part] = block[np.arange(block.shape[0]), mentors[part]]
        return out


# ----------------------------------------------------------------------------- dense path


def _solve_dense(problem: _Problem, fairness: bool, locked_min: float) -> IntArray:
    masked = np.concatenate([block for _, block in problem.blocks()], axis=0)
    s = np.asarray(np.maximum(masked, 0.0), dtype=np.float64)
    eligible = masked >= 0
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


class _Candidates:
    """The candidate graph: arcs (ii local mentee, jj mentor) with their scores, kept sorted by
    (ii, jj), and per mentee a bound: every eligible pair of that mentee that is not a
    candidate scores at most bound[i] (-inf when there is none)."""

    def __init__(
        self,
        m: int,
        ii: IntArray,
        jj: IntArray,
        values: FloatArray,
        bound: FloatArray,
        top: float,
    ) -> None:
        self.m = m
        self.bound = bound
        self.top = top
        self.ii = np.zeros(0, dtype=np.int64)
        self.jj = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0)
        self.add(ii, jj, values)

    @property
    def size(self) -> int:
        return int(self.ii.size)

    def add(self, ii: IntArray, jj: IntArray, values: FloatArray) -> int:
        """Add arcs (duplicates ignored); returns how many were new."""
        before = self.ii.size
        keys = np.concatenate([self.ii * self.m + self.jj, ii.astype(np.int64) * self.m + jj])
        all_values = np.concatenate([self.values, np.asarray(values, dtype=np.float64)])
        keys, first = np.unique(keys, return_index=True)
        self.ii, self.jj, self.values = keys // self.m, keys % self.m, all_values[first]
        return int(self.ii.size - before)

    def restrict(self, floor: float) -> None:
        """Drop arcs scoring below `floor` (they are no longer eligible)."""
        keep = self.values >= floor
        self.ii, self.jj, self.values = self.ii[keep], self.jj[keep], self.values[keep]

    def rows_of(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """(position in `rows`, mentor) of every candidate arc of these mentees (rows sorted)."""
        lo = np.searchsorted(self.ii, rows, side="left")
        hi = np.searchsorted(self.ii, rows, side="right")
        counts = hi - lo
        which = np.repeat(np.arange(rows.size), counts)
        offsets = np.arange(which.size) - np.repeat(np.cumsum(counts) - counts, counts)
        return which, self.jj[np.repeat(lo, counts) + offsets]

    def values_of(self, mentor: IntArray) -> FloatArray:
        """Scores of the chosen arcs (mentee i -> mentor[i], unmatched skipped)."""
        chosen = np.flatnonzero(mentor >= 0)
        keys = self.ii * self.m + self.jj
        at = np.searchsorted(keys, chosen * self.m + mentor[chosen])
        if np.any(at >= keys.size) or np.any(
            keys[np.minimum(at, keys.size - 1)] != chosen * self.m + mentor[chosen]
        ):
            raise SolverError("a chosen pair is not a candidate")
        return self.values[at]


def _solve_sparse(
    problem: _Problem, fairness: bool, locked_min: float
) -> tuple[IntArray, FloatArray, int, int]:
    floor: float | None = None
    rounds_total = 0
    candidates = _first_pass(problem, INITIAL_CANDIDATES)
    if fairness:
        count, rounds = _certified_count(problem, candidates)
        rounds_total += rounds
        if count:
            floor, rounds = _certified_bottleneck(problem, candidates, count)
            rounds_total += rounds
            floor = min(floor, locked_min)
            candidates.restrict(floor)
    solved, rounds = _certified_assignment(problem, candidates, floor)
    rounds_total += rounds
    return solved, candidates.values_of(solved), rounds_total, candidates.size


def _first_pass(problem: _Problem, k: int) -> _Candidates:
    """One pass over the score blocks: each mentee's best mentors and a bound on the rest.

    A row is cut into chunks of `width` columns (plus a shorter tail); the k chunks with the
    highest maxima are kept and, within them, every pair scoring at least the k-th highest
    chunk maximum theta: at least k pairs, and every pair left out scores at most theta (the
    row's bound).
    """
    n, m = problem.n, problem.m
    width = max(1, min(64, m // (4 * k)))
    main = (m // width) * width
    step = max(1, BLOCK_CELLS // max(m, 1))
    ii: list[IntArray] = []
    jj: list[IntArray] = []
    vv: list[FloatArray] = []
    bound = np.full(n, -np.inf)
    top = 0.0
    for start in range(0, n, step):
        local = np.arange(start, min(n, start + step))
        # Chunk maxima of the raw scores: theta bounds every pair left out, eligible or not,
        # so eligibility is only checked at the kept cells.
        block, ok = problem.raw(problem.rows[local])
        height = block.shape[0]
        if width == 1:
            chunk_max = block
        else:
            # chunk c holds the columns c, c + chunks, c + 2 chunks, ...: the maximum is then
            # an elementwise maximum of contiguous slices, several times faster than a
            # reduction within each contiguous run of `width` columns
            chunk_max = block[:, :main].reshape(height, width, main // width).max(axis=1)
            if main < m:
                tail = block[:, main:].max(axis=1, keepdims=True)
                chunk_max = np.concatenate([chunk_max, tail], axis=1)
        top = max(top, float(chunk_max.max()))
        chunks = chunk_max.shape[1]
        kk = min(k, chunks)
        if kk < chunks:
            chosen = np.argpartition(-chunk_max, kk - 1, axis=1)[:, :kk]
        else:
            chosen = np.broadcast_to(np.arange(chunks), (height, chunks))
        theta = np.take_along_axis(chunk_max, chosen, axis=1).min(axis=1)
        stride = main // width
        cols = np.where(
            chosen[:, :, None] < stride,
            chosen[:, :, None] + stride * np.arange(width),
            main + np.arange(width),  # the tail chunk: the last m - main columns
        ).reshape(height, -1)
        inside = cols < m
        cols = np.minimum(cols, m - 1)
        values = np.take_along_axis(block, cols, axis=1)
        keep = inside & (values >= theta[:, None])
        r, c = np.nonzero(keep)
        c = cols[r, c]
        v = block[r, c]
        good = problem.eligible_cells(r, c, v, ok)
        r, c, v = r[good], c[good], v[good]
        ii.append(r + start)
        jj.append(c)
        vv.append(v.astype(np.float64))
        # every cell kept when each chunk is one column and all were chosen: nothing left out
        everything = width == 1 and kk == chunks
        bound[start : start + height] = -np.inf if everything else theta
    return _Candidates(m, np.concatenate(ii), np.concatenate(jj), np.concatenate(vv), bound, top)


def _certified_count(problem: _Problem, candidates: _Candidates) -> tuple[int, int]:
    """Maximum count over all eligible pairs, proven by a König cover that covers every pair."""
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        count, mentee_reached, mentor_reached = _max_count(
            problem.n, problem.m, candidates.ii, candidates.jj, problem.capacity
        )
        if not _add_uncovered(problem, candidates, mentee_reached, mentor_reached, None, False):
            return count, rounds
    raise SolverError("count certificate did not converge")


def _add_uncovered(
    problem: _Problem,
    candidates: _Candidates,
    mentee_reached: BoolArray,
    mentor_reached: BoolArray,
    floor: float | None,
    strict: bool,
) -> int:
    """Add eligible pairs (score >= floor, or > floor when strict) that the cover misses: a
    reached mentee with an unreached mentor. Only reached mentees are scanned."""
    reached = np.flatnonzero(mentee_reached)
    step = max(1, BLOCK_CELLS // max(problem.m, 1))
    added = 0
    for start in range(0, reached.size, step):
        rows = reached[start : start + step]
        block = problem.masked(rows, floor)
        bad = (block >= 0) & ~mentor_reached[None, :]
        if floor is not None and strict:
            bad &= block > floor
        bi, bj = _top_per_row(block, bad, ADDED_PER_MENTEE)
        added += candidates.add(rows[bi], bj, block[bi, bj])
    return added


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
    problem: _Problem, candidates: _Candidates, count: int
) -> tuple[float, int]:
    """Largest weakest-pair score among maximum-count assignments, with a König certificate.

    The threshold found on the candidate graph is a lower bound; it is the optimum when the
    pairs scoring above it cannot match `count` mentees in the full graph, which a cover of the
    candidate pairs above it proves when it also covers every eligible pair above it.
    """
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        ii, jj, values = candidates.ii, candidates.jj, candidates.values
        floor = _bottleneck(
            problem.n, problem.m, ii, jj, values, np.unique(values), problem.capacity, count
        )
        above = values > floor
        c, mentee_reached, mentor_reached = _max_count(
            problem.n, problem.m, ii[above], jj[above], problem.capacity
        )
        if c >= count:
            raise SolverError("bottleneck search inconsistent")
        if not _add_uncovered(problem, candidates, mentee_reached, mentor_reached, floor, True):
            return floor, rounds
    raise SolverError("bottleneck certificate did not converge")


def _certified_assignment(
    problem: _Problem, candidates: _Candidates, floor: float | None
) -> tuple[IntArray, int]:
    """Lexicographic (count, total) optimum over all eligible pairs scoring >= floor.

    Scores are put on an integer grid, s_ij -> rint(s_ij * 2**p) in [0, 2**q] with p the
    `_grid_exponent` of the largest score, so that the solve, the duals and the pricing test are
    exact integer arithmetic in float64; the count is made to dominate with a weight bonus
    M = (n + 1) * 2**q > n * 2**q. A pair left out can improve the optimum only if
    M + s_ij > u_i + v_j for the LP duals (u mentees, v mentors >= 0). Every pair of mentee i
    left out scores at most bound[i], so the mentee is proven when
    grid(bound[i]) <= u_i - M + min(v); only the others are scored again and priced exactly.
    The total is optimal for the rounded scores, so within n * 2**-p of the raw optimum.
    """
    n, m = problem.n, problem.m
    q = _grid_bits(n, m)
    p = _grid_exponent(candidates.top, q)
    bonus = (n + 1) * math.ldexp(1.0, q)
    open_mentors = problem.capacity > 0
    for rounds in range(1, MAX_PRICING_ROUNDS + 1):
        weight = bonus + _on_grid(candidates.values, p)
        mentor = _solve_candidates(n, m, candidates.ii, candidates.jj, weight, problem.capacity)
        u, v = _duals(n, m, candidates.ii, candidates.jj, weight, mentor, problem.capacity)
        u_free = u - bonus  # a pair can improve only if s_int > u_free_i + v_j
        v_min = float(v[open_mentors].min()) if open_mentors.any() else 0.0
        bound = candidates.bound
        has_rest = np.isfinite(bound)
        limit = np.where(has_rest, _on_grid(np.where(has_rest, bound, 0.0), p), -np.inf)
        suspects = np.flatnonzero(limit > u_free + v_min)
        if suspects.size == 0 or not _price(problem, candidates, suspects, u_free, v, p, floor):
            return mentor, rounds
    raise SolverError("pricing did not converge")


def _price(
    problem: _Problem,
    candidates: _Candidates,
    suspects: IntArray,
    u_free: FloatArray,
    v: FloatArray,
    p: int,
    floor: float | None,
) -> int:
    """Score the suspect mentees again, add their pairs with a positive reduced cost (the best
    ADDED_PER_MENTEE each) and tighten their bounds to the best pair still left out."""
    step = max(1, BLOCK_CELLS // max(problem.m, 1))
    added = 0
    for start in range(0, suspects.size, step):
        rows = suspects[start : start + step]
        block = problem.masked(rows, floor)
        eligible = block >= 0
        gain = _on_grid(block, p) - u_free[rows, None] - v[None, :]
        which, cols = candidates.rows_of(rows)
        eligible[which, cols] = False  # already candidates
        bi, bj = _top_per_row(gain, eligible & (gain > 0), ADDED_PER_MENTEE)
        added += candidates.add(rows[bi], bj, block[bi, bj])
        eligible[bi, bj] = False
        rest = np.where(eligible, block, -np.inf).max(axis=1)
        candidates.bound[rows] = rest
    return added


def _solve_candidates(
    n: int, m: int, ii: IntArray, jj: IntArray, weight: FloatArray, cap: IntArray
) -> IntArray:
    """Lexicographic (count, then weight) optimum on the candidate arcs, exact for integer
    weights: a maximum flow of minimum cost, source -> mentee (1) -> mentor (1 per arc) ->
    sink (capacity), on OR-Tools' cost-scaling min-cost-flow (no slot expansion)."""
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = n + m, n + m + 1
    base = float(weight.min()) if weight.size else 0.0
    cost = -(weight - base).astype(np.int64)  # integers on the grid; only differences matter
    tails = np.concatenate([np.full(n, source), ii, n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([np.arange(n), n + jj, np.full(m, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n + ii.size, dtype=np.int64), cap.astype(np.int64)])
    costs = np.concatenate([np.zeros(n, dtype=np.int64), cost, np.zeros(m, dtype=np.int64)])
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow failed with status {status}")
    used = flow.flows(np.arange(n, n + ii.size, dtype=np.int32)) > 0
    mentor = np.full(n, -1, dtype=np.int64)
    mentor[ii[used]] = jj[used]
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
    step = max(1, BLOCK_CELLS // max(problem.m, 1))
    has_capacity = problem.full_capacity > 0
    for start in range(0, unmatched.size, step):
        part = unmatched[start : start + step]
        s, ok = problem.raw(part)
        allowed = np.ones(s.shape, dtype=bool) if ok is None else ok
        with_capacity = allowed & has_capacity[None, :]
        above = with_capacity
        if problem.min_score is not None:
            above = with_capacity & (s >= problem.min_score)
        for k, i in enumerate(part):
            if not allowed[k].any():
                reasons[i] = NO_ALLOWED_MENTOR
            elif not with_capacity[k].any():
                reasons[i] = NO_MENTOR_CAPACITY
            elif not above[k].any():
                reasons[i] = SCORES_BELOW_MINIMUM
            else:
                reasons[i] = MENTORS_FULL
    return tuple(reasons)
