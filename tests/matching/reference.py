"""Independent reference solvers for the tests: brute force and a MILP (HiGHS)."""

import itertools
import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp


def eligible_mask(scores, capacity, allowed, min_score):
    ok = np.ones(scores.shape, dtype=bool) if allowed is None else np.asarray(allowed, bool)
    ok = ok & (np.asarray(capacity)[None, :] > 0)
    if min_score is not None:
        ok = ok & (scores >= min_score)
    return ok


def brute_force(scores, capacity, allowed=None, min_score=None, fairness=False, locked=()):
    """Best (count, weakest, total) over every feasible assignment (weakest only if fairness)."""
    n, m = scores.shape
    ok = eligible_mask(scores, capacity, allowed, min_score)
    fixed = dict(locked)
    options = [
        [fixed[i]] if i in fixed else [-1, *np.flatnonzero(ok[i]).tolist()] for i in range(n)
    ]
    best = None
    for combo in itertools.product(*options):
        load = np.bincount([j for j in combo if j >= 0], minlength=m)
        if np.any(load > capacity):
            continue
        pair_scores = [scores[i, j] for i, j in enumerate(combo) if j >= 0]
        weakest = min(pair_scores) if (fairness and pair_scores) else 0.0
        key = (len(pair_scores), float(weakest), math.fsum(pair_scores))
        # Exact lexicographic comparison. A tolerance on the weakest pair would make ties
        # intransitive and reward a larger total over a strictly stronger weakest pair (for
        # example 0.0 against 4.9e-131), which is not the solver's objective.
        if best is None or key > best:
            best = key
    return best


def milp_optimum(scores, capacity, allowed=None, min_score=None, fairness=False):
    """(count, weakest, total) by three mixed-integer programs solved one after another."""
    n, m = scores.shape
    ok = eligible_mask(scores, capacity, allowed, min_score)
    ii, jj = np.nonzero(ok)
    e = ii.size
    if e == 0:
        return (0, 0.0, 0.0)
    rows = sp.csr_array((np.ones(e), (ii, np.arange(e))), shape=(n, e))
    cols = sp.csr_array((np.ones(e), (jj, np.arange(e))), shape=(m, e))
    base = [
        LinearConstraint(rows, 0, 1),
        LinearConstraint(cols, 0, np.asarray(capacity, float)),
    ]
    options = {"mip_rel_gap": 0.0}
    integral = np.ones(e)
    count_run = milp(
        -np.ones(e), constraints=base, integrality=integral, bounds=Bounds(0, 1), options=options
    )
    count = round(-count_run.fun)
    weakest = 0.0
    keep = np.ones(e, dtype=bool)
    with_count = [*base, LinearConstraint(np.ones((1, e)), count, count)]
    if fairness and count:
        # the weakest pair is the largest t such that the pairs >= t still reach `count`
        for t in sorted(set(scores[ii, jj].tolist()), reverse=True):
            mask = scores[ii, jj] >= t
            run = milp(
                -mask.astype(float),
                constraints=base,
                integrality=integral,
                bounds=Bounds(0, mask.astype(float)),
                options=options,
            )
            if round(-run.fun) >= count:
                weakest, keep = t, mask
                break
    total_run = milp(
        -scores[ii, jj],
        constraints=with_count,
        integrality=integral,
        bounds=Bounds(0, keep.astype(float)),
        options=options,
    )
    x = np.round(total_run.x).astype(bool)
    return (count, weakest, math.fsum(scores[ii[x], jj[x]]))
