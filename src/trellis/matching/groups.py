"""Group formats: peer pairs within one pool (maximum-weight matching on a general graph) and
mentoring circles (k members around a leader).

Peer pairs are solved exactly by integer programming (HiGHS through `scipy.optimize.milp`) for
small pools; large pools get a fast heuristic whose total is reported against a proven upper
bound (the fractional-matching LP bound over every allowed pair), so the gap is known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from trellis.matching.solve import assign

__all__ = ["CircleResult", "PeerResult", "form_circles", "peer_pairs"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Pools up to this size are solved exactly by default (about 1 s at 150 people).
EXACT_LIMIT = 150
# Heuristic: each person's best few partners form the candidate graph.
CANDIDATES = 10
MAX_IMPROVEMENT_ROUNDS = 200
PRICING_ROUNDS = 8
ADDED_PER_PERSON = 5
PRICING_TOLERANCE = 1e-9
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class PeerResult:
    """Result of `peer_pairs`.

    partner: (n,) int64, each person's partner or -1 when unpaired (partner[partner[i]] == i).
    n_pairs: number of pairs.
    total: sum of the pairs' scores.
    upper_bound: a proven upper bound on the total of any matching of the allowed pairs
        (equal to `total` when exact).
    gap: (upper_bound - total) / upper_bound, 0 when exact (or when the bound is 0).
    max_pairs_bound: a proven upper bound on the number of pairs (equal to n_pairs when exact).
    is_exact: the result is lexicographically optimal (most pairs, then largest total).
    method: "exact" or "heuristic".
    """

    partner: IntArray
    n_pairs: int
    total: float
    upper_bound: float
    gap: float
    max_pairs_bound: int
    is_exact: bool
    method: str

    def pairs(self) -> list[tuple[int, int]]:
        """Pairs (i, j) with i < j, in order of i."""
        return [(int(i), int(j)) for i, j in enumerate(self.partner) if j > i]


def peer_pairs(
    scores: npt.ArrayLike, allowed: npt.ArrayLike | None = None, *, method: str = "auto"
) -> PeerResult:
    """Pair people within one pool: most pairs first, then the largest total score.

    scores: (n, n) float in [0, 1], symmetric; the diagonal is ignored (nobody pairs with
        themself).
    allowed: optional (n, n) bool mask, symmetric, of permitted pairs.
    method: "auto" (exact up to EXACT_LIMIT people, heuristic above), "exact" or "heuristic".

    Exact: two integer programs (HiGHS, zero relative gap) on the allowed pairs, the first for
    the number of pairs and the second for the total with that number fixed; scores are put on
    an integer grid of 2**-q of the largest score (q from 20 to 36 bits) so that the optimum is
    exact for the grid, within n/2 grid steps of the raw optimum. Heuristic: greedy on each
    person's best CANDIDATES partners, unpaired people paired greedily among themselves, then
    pair swaps (2-opt) until none improves; the upper bound is the fractional-matching LP's
    optimum on the candidate graph, its duals raised until they cover every allowed pair.
    Deterministic: the same input gives the same output.
    """
    s, ok = _validate(scores, allowed)
    n = s.shape[0]
    if method not in ("auto", "exact", "heuristic"):
        raise ValueError(f"unknown method {method!r}")
    exact = method == "exact" or (method == "auto" and n <= EXACT_LIMIT)
    isolated_bound = int(np.count_nonzero(ok.any(axis=1))) // 2
    if exact:
        partner = _exact(s, ok)
        total = _total(s, partner)
        n_pairs = int((partner >= 0).sum()) // 2
        return PeerResult(partner, n_pairs, total, total, 0.0, n_pairs, True, "exact")
    ii, jj = _candidates(s, ok, CANDIDATES)
    ii, jj, x, y = _price(s, ok, ii, jj)
    partner = _round(n, ii, jj, x, s[ii, jj])
    partner = _augment(s, ok, _fill(s, ok, partner))
    partner = _improve(s, ok, partner, ii, jj)
    total = _total(s, partner)
    bound = max(_covering_bound(s, ok, y), total)
    n_pairs = int((partner >= 0).sum()) // 2
    gap = (bound - total) / bound if bound > 0 else 0.0
    is_exact = n_pairs == isolated_bound and gap <= 1e-12
    return PeerResult(partner, n_pairs, total, bound, gap, isolated_bound, is_exact, "heuristic")


def _validate(scores: npt.ArrayLike, allowed: npt.ArrayLike | None) -> tuple[FloatArray, BoolArray]:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"scores must be square (n, n), got shape {s.shape}")
    n = s.shape[0]
    s = s.copy()
    np.fill_diagonal(s, 0.0)  # the diagonal is ignored
    if s.size and (not np.all(np.isfinite(s)) or s.min() < 0.0 or s.max() > 1.0):
        raise ValueError("scores must be finite and within [0, 1]")
    if not np.array_equal(s, s.T):
        raise ValueError("scores must be symmetric: score[i, j] == score[j, i]")
    if allowed is None:
        ok = np.ones((n, n), dtype=bool)
    else:
        ok = np.array(allowed, dtype=bool)
        if ok.shape != (n, n):
            raise ValueError(f"allowed must have shape {(n, n)}, got {ok.shape}")
    np.fill_diagonal(ok, False)
    if not np.array_equal(ok, ok.T):
        raise ValueError("allowed must be symmetric")
    return s, ok


def _total(s: FloatArray, partner: IntArray) -> float:
    i = np.flatnonzero(partner > np.arange(partner.size))
    return math.fsum(s[i, partner[i]].tolist())


# ----------------------------------------------------------------------------- exact


def _exact(s: FloatArray, ok: BoolArray) -> IntArray:
    n = s.shape[0]
    ii, jj = np.nonzero(np.triu(ok, 1))
    partner = np.full(n, -1, dtype=np.int64)
    e = ii.size
    if e == 0:
        return partner
    incidence = sp.csr_array(
        (np.ones(2 * e), (np.concatenate([ii, jj]), np.tile(np.arange(e), 2))), shape=(n, e)
    )
    degree = LinearConstraint(incidence, 0, 1)
    integral = np.ones(e, dtype=np.uint8)
    most = int(np.count_nonzero(ok.any(axis=1))) // 2
    greedy = _greedy(n, ii, jj, s[ii, jj])
    count = int((greedy >= 0).sum()) // 2
    if count < most:
        run = milp(
            -np.ones(e),
            constraints=[degree],
            integrality=integral,
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0.0},
        )
        if run.fun is None:
            raise RuntimeError(f"integer program failed: {run.message}")
        count = round(-run.fun)
    top = float(s[ii, jj].max())
    q = max(20, min(36, 45 - math.ceil(math.log2(n + 1))))
    weight = np.rint(s[ii, jj] / top * math.ldexp(1.0, q)) if top > 0 else np.zeros(e)
    run = milp(
        -weight,
        constraints=[degree, LinearConstraint(np.ones((1, e)), count, count)],
        integrality=integral,
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if run.x is None:
        raise RuntimeError(f"integer program failed: {run.message}")
    chosen = np.round(run.x).astype(bool)
    partner[ii[chosen]] = jj[chosen]
    partner[jj[chosen]] = ii[chosen]
    return partner


# ----------------------------------------------------------------------------- heuristic


def _rows(n: int) -> range:
    return range(0, n, max(1, BLOCK_CELLS // max(n, 1)))


def _candidates(s: FloatArray, ok: BoolArray, k: int) -> tuple[IntArray, IntArray]:
    """Edges (i < j) between each person and their k best allowed partners."""
    n = s.shape[0]
    step = max(1, BLOCK_CELLS // max(n, 1))
    kk = min(k, n)
    ei, ej = [], []
    for start in _rows(n):
        block = np.where(ok[start : start + step], s[start : start + step], -1.0)
        part = (
            np.argpartition(-block, kk - 1, axis=1)[:, :kk]
            if kk < n
            else np.broadcast_to(np.arange(n), block.shape)
        )
        local = np.repeat(np.arange(block.shape[0]), part.shape[1])
        cols = part.ravel()
        good = block[local, cols] >= 0
        ei.append(local[good] + start)
        ej.append(cols[good])
    a, b = np.concatenate(ei), np.concatenate(ej)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = np.unique(lo * n + hi)
    return key // n, key % n


def _greedy(n: int, ii: IntArray, jj: IntArray, w: FloatArray) -> IntArray:
    """Greedy matching: edges by decreasing weight, ties by index."""
    partner = np.full(n, -1, dtype=np.int64)
    order = np.lexsort((jj, ii, -w))
    taken = np.zeros(n, dtype=bool)
    for a, b in zip(ii[order].tolist(), jj[order].tolist(), strict=True):
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            partner[a], partner[b] = b, a
    return partner


def _fill(s: FloatArray, ok: BoolArray, partner: IntArray) -> IntArray:
    """Pair the unpaired greedily among themselves over every allowed pair."""
    free = np.flatnonzero(partner < 0)
    if free.size < 2:
        return partner
    sub_ok = np.triu(ok[np.ix_(free, free)], 1)
    a, b = np.nonzero(sub_ok)
    if a.size == 0:
        return partner
    inner = _greedy(free.size, a, b, s[free[a], free[b]])
    partner = partner.copy()
    paired = inner >= 0
    partner[free[paired]] = free[inner[paired]]
    return partner


def _augment(s: FloatArray, ok: BoolArray, partner: IntArray) -> IntArray:
    """More pairs along augmenting paths of length 3: free u, v = w, free x becomes u = v, w = x.

    Run after `_fill`, when no two unpaired people may pair directly; the unpaired are taken in
    index order and each takes its best path by gain. Longer augmenting paths are not searched,
    so the number of pairs is not proven maximal (see `max_pairs_bound`).
    """
    partner = partner.copy()
    found = True
    while found:
        found = False
        free = np.flatnonzero(partner < 0)
        for u in free.tolist():
            vs = np.flatnonzero(ok[u] & (partner >= 0))
            if vs.size == 0:
                continue
            ws = partner[vs]
            reach = ok[np.ix_(ws, free)] & (free != u)[None, :]
            r, c = np.nonzero(reach)
            if r.size == 0:
                continue
            gain = s[u, vs[r]] + s[ws[r], free[c]] - s[vs[r], ws[r]]
            k = int(np.lexsort((c, r, -gain))[0])
            v, w, x = int(vs[r[k]]), int(ws[r[k]]), int(free[c[k]])
            partner[u], partner[v], partner[w], partner[x] = v, u, x, w
            found = True
            break
    return partner


def _improve(
    s: FloatArray, ok: BoolArray, partner: IntArray, ii: IntArray, jj: IntArray
) -> IntArray:
    """Local search over the candidate edges (a, c), keeping the number of pairs.

    With a paired with b and c paired with d, swap to (a, c) + (b, d) when it gains; with c
    unpaired, replace (a, b) by (a, c) when it gains. Non-overlapping moves are applied in
    decreasing gain, round after round, until none gains.
    """
    partner = partner.copy()
    n = partner.size
    a_all = np.concatenate([ii, jj])
    c_all = np.concatenate([jj, ii])
    for _ in range(MAX_IMPROVEMENT_ROUNDS):
        a, c = a_all, c_all
        b, d = partner[a], partner[c]
        live = (b >= 0) & (b != c)
        a, c, b, d = a[live], c[live], b[live], d[live]
        paired = d >= 0
        bd_ok = np.zeros(a.size, dtype=bool)
        bd_ok[~paired] = True
        bd_ok[paired] = ok[b[paired], d[paired]]
        gain = s[a, c] - s[a, b]
        gain[paired] += s[b[paired], d[paired]] - s[c[paired], d[paired]]
        good = bd_ok & (gain > 1e-12)
        if not np.any(good):
            break
        a, b, c, d, gain = a[good], b[good], c[good], d[good], gain[good]
        order = np.lexsort((c, a, -gain))
        used = np.zeros(n, dtype=bool)
        for k in order.tolist():
            people = (int(a[k]), int(b[k]), int(c[k]), int(d[k]))
            if any(used[p] for p in people if p >= 0):
                continue
            for p in people:
                if p >= 0:
                    used[p] = True
            pa, pb, pc, pd = people
            partner[pa], partner[pc] = pc, pa
            if pd >= 0:
                partner[pb], partner[pd] = pd, pb
            else:
                partner[pb] = -1
    return partner


def _fractional_lp(
    n: int, ii: IntArray, jj: IntArray, w: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Fractional matching LP on edges (ii, jj): max w.x with x >= 0 and degree <= 1.

    Returns (x per edge, y per person): the primal solution and its duals (y >= 0 with
    y_i + y_j >= w_ij on these edges, up to the solver's tolerance).
    """
    e = ii.size
    if e == 0:
        return np.zeros(0), np.zeros(n)
    incidence = sp.csr_array(
        (np.ones(2 * e), (np.concatenate([ii, jj]), np.tile(np.arange(e), 2))), shape=(n, e)
    )
    # Stub gap: scipy-stubs 1.18 types A_ub as dense only, but scipy's linprog accepts a
    # sparse A_ub for the HiGHS methods (only the legacy simplex methods reject one).
    run = linprog(  # type: ignore[call-overload]
        -w, A_ub=incidence, b_ub=np.ones(n), bounds=(0, None), method="highs-ipm"
    )
    if run.status != 0:
        raise RuntimeError(f"linear program failed: {run.message}")
    return np.asarray(run.x, dtype=np.float64), np.maximum(-run.ineqlin.marginals, 0.0)


def _price(
    s: FloatArray, ok: BoolArray, ii: IntArray, jj: IntArray
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Grow the candidate graph until the LP duals cover every allowed pair (or rounds run out).

    A pair with s_ij > y_i + y_j could raise the LP optimum; the best few per person are added
    and the LP re-solved, as in column generation.
    """
    n = s.shape[0]
    step = max(1, BLOCK_CELLS // max(n, 1))
    for _ in range(PRICING_ROUNDS):
        x, y = _fractional_lp(n, ii, jj, s[ii, jj])
        add_i, add_j = [], []
        for start in _rows(n):
            reduced = s[start : start + step] - y[start : start + step, None] - y[None, :]
            bad = ok[start : start + step] & (reduced > PRICING_TOLERANCE)
            rows, cols = np.nonzero(bad)
            if rows.size == 0:
                continue
            # keep each row's few most violated pairs
            order = np.lexsort((cols, -reduced[rows, cols], rows))
            rows, cols = rows[order], cols[order]
            first = np.searchsorted(rows, rows, side="left")
            keep = np.arange(rows.size) - first < ADDED_PER_PERSON
            add_i.append(rows[keep] + start)
            add_j.append(cols[keep])
        if not add_i:
            return ii, jj, x, y
        a = np.concatenate([ii, *add_i])
        b = np.concatenate([jj, *add_j])
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = np.unique(lo * n + hi)
        ii, jj = key // n, key % n
    x, y = _fractional_lp(n, ii, jj, s[ii, jj])
    return ii, jj, x, y


def _round(n: int, ii: IntArray, jj: IntArray, x: FloatArray, w: FloatArray) -> IntArray:
    """A matching from the LP solution: its whole edges, then its fractional ones greedily."""
    whole = x > 0.5
    partner = _greedy(n, ii[whole], jj[whole], w[whole])
    part = (x > 1e-9) & ~whole
    free = (partner[ii] < 0) & (partner[jj] < 0) & part
    if np.any(free):
        extra = _greedy(n, ii[free], jj[free], w[free])
        partner = np.where(partner >= 0, partner, extra)
    return partner


def _covering_bound(s: FloatArray, ok: BoolArray, y: FloatArray) -> float:
    """An upper bound on any matching's total from duals y of the fractional matching LP.

    Duals y >= 0 with y_i + y_j >= s_ij for every allowed pair bound the total (the sum over
    pairs of s_ij is at most the sum of y). The LP's duals cover the candidate pairs up to the
    solver's tolerance; raising them, y_i <- max(y_i, max_j (s_ij - y_j)) with the old y on the
    right, covers every allowed pair, whatever the tolerance or the pricing left.
    """
    n = s.shape[0]
    raised = y.copy()
    step = max(1, BLOCK_CELLS // max(n, 1))
    for start in _rows(n):
        block = np.where(ok[start : start + step], s[start : start + step] - y[None, :], 0.0)
        raised[start : start + step] = np.maximum(raised[start : start + step], block.max(axis=1))
    return math.fsum(raised.tolist())


# ----------------------------------------------------------------------------- circles


@dataclass(frozen=True)
class CircleResult:
    """Result of `form_circles`.

    leader: (n_members,) int64, each member's leader or -1 when left out.
    circle: (n_members,) int64, each member's circle or -1 when left out.
    circle_leader: (n_circles,) int64, the leader of each circle.
    n_assigned: members placed in a circle.
    leader_total: sum of the members' scores with their leaders.
    leader_optimum: the largest leader_total any placement of n_assigned members reaches (the
        solver's optimum); leader_total is below it only when cohesion traded some of it away.
    cohesion_total: sum over circles of member_scores over every two members of the circle.
    objective: leader_total + cohesion_weight * cohesion_total.
    reasons: (n_members,) why each left-out member stayed out ("" when placed), as `assign`.
    """

    leader: IntArray
    circle: IntArray
    circle_leader: IntArray
    n_assigned: int
    leader_total: float
    leader_optimum: float
    cohesion_total: float
    objective: float
    reasons: tuple[str, ...]

    def circles(self) -> list[list[int]]:
        """Members of each circle, in circle order."""
        return [np.flatnonzero(self.circle == c).tolist() for c in range(self.circle_leader.size)]


def form_circles(
    leader_scores: npt.ArrayLike,
    member_scores: npt.ArrayLike | None,
    leader_capacity: npt.ArrayLike,
    k: int,
    *,
    allowed: npt.ArrayLike | None = None,
    cohesion_weight: float = 0.0,
    max_passes: int = 20,
) -> CircleResult:
    """Mentoring circles: members grouped around leaders, at most k members per circle.

    leader_scores: (n_members, n_leaders) float in [0, 1], how well a leader suits a member.
    member_scores: optional (n_members, n_members) float in [0, 1], symmetric: how well two
        members suit the same circle (used only when cohesion_weight > 0).
    leader_capacity: (n_leaders,) int >= 0, how many circles each leader runs.
    k: the largest circle (members, the leader not counted).
    allowed: optional (n_members, n_leaders) bool mask of permitted member-leader pairs.
    cohesion_weight: weight of the member-member term against the leader term.

    Members are first assigned to leaders with `assign` (a leader takes up to capacity * k
    members): the most members placed, then the largest leader_total, exactly. A leader's
    members are split into as few circles as fit, sizes differing by at most one; circles are
    not padded to k when members run short. With cohesion_weight > 0, members then swap between
    circles (keeping every size and every permitted pair) while a swap raises the objective,
    for at most max_passes passes; that part is local search, not proven optimal.
    """
    s = np.asarray(leader_scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"leader_scores must be 2-D (n_members, n_leaders), got {s.shape}")
    n, m = s.shape
    if k < 1:
        raise ValueError("k must be at least 1")
    cap = np.asarray(leader_capacity)
    if cap.shape != (m,):
        raise ValueError(f"leader_capacity must have shape ({m},), got {cap.shape}")
    ok = np.ones((n, m), dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    result = assign(s, cap.astype(np.int64) * k, allowed=ok)
    leader = result.mentor.copy()
    circle = np.full(n, -1, dtype=np.int64)
    circle_leader: list[int] = []
    for j in range(m):
        members = np.flatnonzero(leader == j)
        if members.size == 0:
            continue
        count = -(-members.size // k)
        for position, member in enumerate(members.tolist()):
            circle[member] = len(circle_leader) + position % count
        circle_leader.extend([j] * count)
    cohesion = np.zeros((n, n))
    if member_scores is not None:
        cohesion = np.asarray(member_scores, dtype=np.float64)
        if cohesion.shape != (n, n):
            raise ValueError(f"member_scores must have shape {(n, n)}, got {cohesion.shape}")
        if not np.array_equal(cohesion, cohesion.T):
            raise ValueError("member_scores must be symmetric")
        cohesion = cohesion.copy()
        np.fill_diagonal(cohesion, 0.0)
    circle_leader_arr = np.array(circle_leader, dtype=np.int64)
    if cohesion_weight > 0 and member_scores is not None:
        circle, leader = _swap_members(
            s, ok, cohesion, cohesion_weight, circle, circle_leader_arr, max_passes
        )
    placed = np.flatnonzero(leader >= 0)
    leader_total = math.fsum(s[placed, leader[placed]].tolist())
    cohesion_total = 0.0
    for c in range(circle_leader_arr.size):
        members = np.flatnonzero(circle == c)
        cohesion_total += float(cohesion[np.ix_(members, members)].sum()) / 2
    return CircleResult(
        leader=leader,
        circle=circle,
        circle_leader=circle_leader_arr,
        n_assigned=int(placed.size),
        leader_total=leader_total,
        leader_optimum=result.total,
        cohesion_total=cohesion_total,
        objective=leader_total + cohesion_weight * cohesion_total,
        reasons=result.reasons,
    )


def _swap_members(
    s: FloatArray,
    ok: BoolArray,
    cohesion: FloatArray,
    weight: float,
    circle: IntArray,
    circle_leader: IntArray,
    max_passes: int,
) -> tuple[IntArray, IntArray]:
    """First-improvement swaps of two members of different circles (sizes stay the same)."""
    circle = circle.copy()
    placed = np.flatnonzero(circle >= 0)
    n_circles = circle_leader.size
    # tie[i, c]: member i's summed cohesion with the members of circle c
    membership = np.zeros((s.shape[0], n_circles))
    membership[placed, circle[placed]] = 1.0
    tie = cohesion @ membership
    for _ in range(max_passes):
        improved = False
        for a in placed.tolist():
            ca = int(circle[a])
            la = int(circle_leader[ca])
            for b in placed.tolist():
                cb = int(circle[b])
                if cb == ca or b < a:
                    continue
                lb = int(circle_leader[cb])
                if not (ok[a, lb] and ok[b, la]):
                    continue
                lead = s[a, lb] + s[b, la] - s[a, la] - s[b, lb]
                together = tie[a, cb] + tie[b, ca] - tie[a, ca] - tie[b, cb] - 2 * cohesion[a, b]
                if lead + weight * together > 1e-12:
                    circle[a], circle[b] = cb, ca
                    tie[:, ca] += cohesion[:, b] - cohesion[:, a]
                    tie[:, cb] += cohesion[:, a] - cohesion[:, b]
                    ca, la = cb, lb
                    improved = True
        if not improved:
            break
    leader = np.full(circle.size, -1, dtype=np.int64)
    leader[placed] = circle_leader[circle[placed]]
    return circle, leader
