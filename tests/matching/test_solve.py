import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.matching.reference import brute_force, eligible_mask, milp_optimum
from trellis.matching import solve
from trellis.matching.solve import (
    MENTORS_FULL,
    NO_ALLOWED_MENTOR,
    NO_MENTOR_CAPACITY,
    SCORES_BELOW_MINIMUM,
    assign,
)

TIES = [0.0, 0.25, 0.5, 0.75, 1.0]


def examples(default):
    """Hypothesis examples per property test; TRELLIS_MATCHING_EXAMPLES=3000 for a long hunt."""
    return int(os.environ.get("TRELLIS_MATCHING_EXAMPLES", default))


# fairness: the weakest pair 4.9e-131 beats 0.0 exactly, however tiny (and it rounds to 0 on
# the sparse path's score grid); a tolerant reference preferred total 2.0 with weakest 0.0
DENORMAL_WEAKEST = (
    np.array([[0, 0.5, 1.0], [0, 0, 0], [0, 0, 4.93125925e-131], [0, 0, 1.0]]),
    np.array([0, 1, 2]),
    None,
    None,
    True,
    [],
)


@st.composite
def instances(draw, max_mentees=5, max_mentors=3):
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    ties = draw(st.booleans())
    values = st.sampled_from(TIES) if ties else st.floats(0.0, 1.0, allow_nan=False)
    scores = np.array(draw(st.lists(values, min_size=n * m, max_size=n * m))).reshape(n, m)
    # programs whose scores are all small (the sparse path's grid is relative to the largest)
    scale = draw(st.sampled_from([1.0, 1.0, 1.0, 1e-12]))
    scores = scores * scale
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    allowed = None
    if draw(st.booleans()):
        flags = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
        allowed = np.array(flags).reshape(n, m)
    min_score = draw(st.none() | st.sampled_from([0.25 * scale, 0.5 * scale]))
    fairness = draw(st.booleans())
    locked = []
    if draw(st.booleans()):
        load = np.zeros(m, dtype=int)
        for i in range(n):
            j = draw(st.integers(-1, m - 1))
            if j >= 0 and load[j] < capacity[j] and draw(st.booleans()):
                locked.append((i, j))
                load[j] += 1
    return scores, capacity, allowed, min_score, fairness, locked


@pytest.fixture
def tiny_candidate_graph(monkeypatch):
    """Start the sparse path from one candidate per mentee so that pricing must do the work."""
    monkeypatch.setattr(solve, "INITIAL_CANDIDATES", 1)
    monkeypatch.setattr(solve, "ADDED_PER_MENTEE", 1)


def objective(result, fairness):
    weakest = result.min_pair_score if (fairness and result.n_matched) else 0.0
    return result.n_matched, weakest, result.total


def assert_same_objective(got, want, tol=1e-9, scale=1.0):
    """Same (count, weakest, total); `scale` is the largest score (tolerances are relative)."""
    assert got[0] == want[0]
    assert got[1] == pytest.approx(want[1], abs=tol * scale)
    assert got[2] == pytest.approx(want[2], abs=tol * max(scale, abs(want[2])))


def assert_feasible(result, scores, capacity, allowed, min_score, locked):
    n, m = scores.shape
    mentor = result.mentor
    assert mentor.shape == (n,)
    assert np.all(np.bincount(mentor[mentor >= 0], minlength=m) <= capacity)
    for i, j in locked:
        assert mentor[i] == j
    ok = eligible_mask(scores, capacity, allowed, min_score)
    fixed = {i for i, _ in locked}
    for i, j in enumerate(mentor):
        if j >= 0 and i not in fixed:
            assert ok[i, j]
    matched = mentor >= 0
    assert result.n_matched == int(matched.sum())
    assert result.total == pytest.approx(math.fsum(scores[matched.nonzero()[0], mentor[matched]]))
    assert all((r == "") == bool(matched[i]) for i, r in enumerate(result.reasons))


@settings(max_examples=examples(300), deadline=None)
@given(instances())
@example(DENORMAL_WEAKEST)
def test_dense_solver_is_feasible_and_matches_brute_force(instance):
    scores, capacity, allowed, min_score, fairness, locked = instance
    result = assign(
        scores,
        capacity,
        allowed=allowed,
        min_score=min_score,
        fairness=fairness,
        locked=locked,
        method="dense",
    )
    assert_feasible(result, scores, capacity, allowed, min_score, locked)
    want = brute_force(scores, capacity, allowed, min_score, fairness, locked)
    assert_same_objective(objective(result, fairness), want, scale=float(scores.max()))
    assert result.certified


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(instance=instances(max_mentees=6, max_mentors=4))
@example(instance=DENORMAL_WEAKEST)
def test_sparse_solver_with_pricing_matches_brute_force(tiny_candidate_graph, instance):
    scores, capacity, allowed, min_score, fairness, locked = instance
    result = assign(
        scores,
        capacity,
        allowed=allowed,
        min_score=min_score,
        fairness=fairness,
        locked=locked,
        method="sparse",
    )
    assert_feasible(result, scores, capacity, allowed, min_score, locked)
    want = brute_force(scores, capacity, allowed, min_score, fairness, locked)
    assert_same_objective(objective(result, fairness), want, scale=float(scores.max()))
    assert result.certified


def medium_instance(seed, n=40, m=15, tight=False):
    rng = np.random.default_rng(seed)
    features_a, features_b = rng.random((n, 4)), rng.random((m, 4))
    scores = 0.6 * (features_a @ features_b.T) / 4 + 0.4 * rng.random((n, m))
    if seed % 2:
        scores = np.round(scores * 8) / 8  # ties
    scores = np.clip(scores, 0, 1)
    capacity = np.full(m, 2) if tight else rng.integers(0, 4, m)
    allowed = rng.random((n, m)) >= 0.15
    return scores, capacity, allowed


@pytest.mark.parametrize("fairness", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_dense_and_sparse_agree_with_an_independent_milp(seed, fairness):
    scores, capacity, allowed = medium_instance(seed, tight=seed % 3 == 0)
    min_score = 0.3 if seed % 2 else None
    want = milp_optimum(scores, capacity, allowed, min_score, fairness)
    for method in ("dense", "sparse"):
        result = assign(
            scores, capacity, allowed=allowed, min_score=min_score, fairness=fairness, method=method
        )
        assert_feasible(result, scores, capacity, allowed, min_score, [])
        assert_same_objective(objective(result, fairness), want, tol=1e-6)


@pytest.mark.parametrize("fairness", [False, True])
@pytest.mark.parametrize("tight", [False, True])
def test_sparse_certificate_equals_dense_optimum_to_1e_9(tight, fairness, monkeypatch):
    monkeypatch.setattr(solve, "INITIAL_CANDIDATES", 2)
    scores, capacity, allowed = medium_instance(11, n=300, m=150, tight=tight)
    dense = assign(scores, capacity, allowed=allowed, fairness=fairness, method="dense")
    sparse = assign(scores, capacity, allowed=allowed, fairness=fairness, method="sparse")
    assert sparse.method == "sparse" and sparse.certified
    assert sparse.pricing_rounds > 1  # two candidates per mentee are not enough on their own
    assert_same_objective(objective(sparse, fairness), objective(dense, fairness))


@pytest.mark.parametrize("fairness", [False, True])
@pytest.mark.parametrize("tight", [False, True])
def test_sparse_total_is_exact_relative_to_small_scores(tight, fairness):
    # scores all below 1e-9: a grid of 2**-40 in absolute terms kept only ~10 bits of them and
    # lost up to 3e-5 of the total; the grid is now relative to the largest score
    scores, capacity, allowed = medium_instance(0, n=100, m=50, tight=tight)
    scores = scores * 1e-9
    dense = assign(scores, capacity, allowed=allowed, fairness=fairness, method="dense")
    sparse = assign(scores, capacity, allowed=allowed, fairness=fairness, method="sparse")
    assert sparse.method == "sparse"
    got, want = objective(sparse, fairness), objective(dense, fairness)
    assert got[:2] == want[:2]
    assert got[2] == pytest.approx(want[2], rel=1e-9, abs=0)


def test_same_input_gives_the_same_assignment():
    scores, capacity, allowed = medium_instance(3, n=200, m=100)
    scores = np.round(scores * 4) / 4  # heavy ties
    for method in ("dense", "sparse"):
        runs = [assign(scores, capacity, allowed=allowed, method=method) for _ in range(3)]
        assert all(np.array_equal(r.mentor, runs[0].mentor) for r in runs)


def test_count_comes_before_score():
    # mentee 0 loves mentor 0; mentee 1 can only take mentor 0: both must be matched
    scores = np.array([[1.0, 0.1], [0.2, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    result = assign(scores, [1, 1], allowed=allowed)
    assert result.mentor.tolist() == [1, 0]
    assert result.total == pytest.approx(0.3)


def test_fairness_prefers_the_stronger_weakest_pair():
    scores = np.array([[1.0, 0.6], [0.1, 0.6]])
    assert assign(scores, [1, 1]).mentor.tolist() == [0, 1]  # total 1.6, weakest 0.6
    scores = np.array([[1.0, 0.5], [0.6, 0.2]])
    # total: (0,0)+(1,1)=1.2 vs (0,1)+(1,0)=1.1; weakest 0.2 vs 0.5
    assert assign(scores, [1, 1]).mentor.tolist() == [0, 1]
    assert assign(scores, [1, 1], fairness=True).mentor.tolist() == [1, 0]


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_fairness_compares_the_weakest_pair_exactly(method, tiny_candidate_graph):
    # 0 -> 1 (0.5), 2 -> 2 (4.9e-131), 3 -> 2 (1.0): weakest 4.9e-131, total 1.5; any
    # assignment with total 2.0 must use a 0.0 pair, a strictly weaker weakest pair.
    scores, capacity, *_ = DENORMAL_WEAKEST
    result = assign(scores, capacity, fairness=True, method=method)
    assert result.method == method
    assert result.mentor.tolist() == [1, -1, 2, 2]
    assert result.min_pair_score == 4.93125925e-131
    assert result.total == 1.5
    assert brute_force(scores, capacity, fairness=True) == (3, 4.93125925e-131, 1.5)
    # without fairness the total wins
    assert assign(scores, capacity, method=method).total == 2.0


def test_locked_pairs_are_kept_and_use_capacity():
    scores = np.array([[0.1, 0.9], [0.9, 0.1], [0.8, 0.7]])
    result = assign(scores, [1, 1], locked=[(0, 0)])
    assert result.mentor.tolist() == [0, 1, -1] or result.mentor.tolist() == [0, -1, 1]
    assert result.mentor[0] == 0
    assert result.reasons[int(np.flatnonzero(result.mentor < 0)[0])] == MENTORS_FULL


def test_locked_pairs_are_validated():
    scores = np.full((2, 1), 0.5)
    with pytest.raises(ValueError, match="capacity"):
        assign(scores, [1], locked=[(0, 0), (1, 0)])
    with pytest.raises(ValueError, match="more than one"):
        assign(scores, [2], locked=[(0, 0), (0, 0)])


def test_each_unmatched_mentee_gets_a_specific_reason():
    scores = np.array([[0.9, 0.9], [0.9, 0.9], [0.1, 0.2], [0.9, 0.9], [0.9, 0.9]])
    allowed = np.array([[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]], dtype=bool)
    result = assign(scores, [1, 0], allowed=allowed, min_score=0.5)
    assert result.reasons[1] == NO_ALLOWED_MENTOR
    assert result.reasons[2] == SCORES_BELOW_MINIMUM
    assert result.reasons[3] == NO_MENTOR_CAPACITY
    assert sorted([result.reasons[0], result.reasons[4]]) == ["", MENTORS_FULL]
    assert set(result.unmatched) == {1, 2, 3, 0, 4} - {int(np.flatnonzero(result.mentor >= 0)[0])}


@pytest.mark.parametrize(
    ("scores", "capacity", "message"),
    [
        (np.array([[1.5]]), [1], "within"),
        (np.array([[np.nan]]), [1], "finite"),
        (np.array([[0.5]]), [1, 1], "capacity"),
        (np.array([[0.5]]), [-1], ">= 0"),
        (np.array([0.5]), [1], "2-D"),
    ],
)
def test_bad_input_is_rejected(scores, capacity, message):
    with pytest.raises(ValueError, match=message):
        assign(scores, capacity)


def test_empty_programs():
    assert assign(np.zeros((0, 3)), [1, 1, 1]).n_matched == 0
    result = assign(np.zeros((2, 0)), np.zeros(0, dtype=int))
    assert result.mentor.tolist() == [-1, -1] and math.isnan(result.min_pair_score)
