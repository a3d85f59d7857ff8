import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.matching.reference import brute_force
from trellis.matching.groups import form_circles, peer_pairs


def examples(default):
    """Hypothesis examples per property test; TRELLIS_MATCHING_EXAMPLES=3000 for a long hunt."""
    return int(os.environ.get("TRELLIS_MATCHING_EXAMPLES", default))


def matchings(people, ok):
    """Every matching (list of pairs) of the allowed graph on `people`."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    yield from matchings(rest, ok)  # `first` stays unpaired
    for k, other in enumerate(rest):
        if ok[first, other]:
            for tail in matchings(rest[:k] + rest[k + 1 :], ok):
                yield [(first, other), *tail]


def brute_force_peers(scores, ok):
    """(best (pairs, total) lexicographically, best total over every matching)."""
    best, best_total = (0, 0.0), 0.0
    for pairs in matchings(list(range(scores.shape[0])), ok):
        total = math.fsum(scores[i, j] for i, j in pairs)
        best = max(best, (len(pairs), total))
        best_total = max(best_total, total)
    return best, best_total


@st.composite
def pools(draw, max_people=8):
    n = draw(st.integers(1, max_people))
    values = (
        st.sampled_from([0.0, 0.25, 0.5, 1.0])
        if draw(st.booleans())
        else st.floats(0.0, 1.0, allow_nan=False)
    )
    upper = np.array(draw(st.lists(values, min_size=n * n, max_size=n * n))).reshape(n, n)
    scores = np.triu(upper, 1) + np.triu(upper, 1).T
    allowed = None
    if draw(st.booleans()):
        flags = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n)))
        flags = np.triu(flags.reshape(n, n), 1)
        allowed = flags | flags.T
    return scores, allowed


def mask_of(scores, allowed):
    n = scores.shape[0]
    ok = np.ones((n, n), dtype=bool) if allowed is None else allowed.copy()
    np.fill_diagonal(ok, False)
    return ok


def assert_feasible_peers(result, scores, ok):
    partner = result.partner
    n = scores.shape[0]
    assert partner.shape == (n,)
    paired = np.flatnonzero(partner >= 0)
    assert np.all(partner[partner[paired]] == paired)
    assert np.all(partner[paired] != paired)
    assert all(ok[i, j] for i, j in result.pairs())
    assert result.n_pairs == paired.size // 2
    assert result.total == pytest.approx(math.fsum(scores[i, j] for i, j in result.pairs()))
    assert result.total <= result.upper_bound + 1e-9
    assert result.n_pairs <= result.max_pairs_bound


@settings(max_examples=examples(150), deadline=None)
@given(pools())
def test_exact_peer_pairs_match_brute_force(pool):
    scores, allowed = pool
    ok = mask_of(scores, allowed)
    result = peer_pairs(scores, allowed, method="exact")
    assert_feasible_peers(result, scores, ok)
    (count, total), _ = brute_force_peers(scores, ok)
    assert result.is_exact and result.gap == 0.0
    assert result.n_pairs == count
    assert result.total == pytest.approx(total, abs=1e-9)


@settings(max_examples=examples(150), deadline=None)
@given(pools())
def test_heuristic_peer_pairs_are_feasible_and_their_bounds_hold(pool):
    scores, allowed = pool
    ok = mask_of(scores, allowed)
    result = peer_pairs(scores, allowed, method="heuristic")
    assert_feasible_peers(result, scores, ok)
    (count, total), best_total = brute_force_peers(scores, ok)
    # the bounds are proven: no matching beats them, whatever its number of pairs
    assert result.upper_bound >= best_total - 1e-9
    assert result.max_pairs_bound >= count
    assert 0.0 <= result.gap <= 1.0
    if result.is_exact:
        assert (result.n_pairs, result.total) == (count, pytest.approx(total, abs=1e-9))


@pytest.mark.parametrize("seed", [0, 1])
def test_heuristic_stays_within_its_bound_of_the_exact_optimum_on_medium_pools(seed):
    rng = np.random.default_rng(seed)
    n = 80
    features = rng.random((n, 6))
    scores = np.clip(features @ features.T / 6 + 0.1 * rng.random((n, n)), 0, 1)
    scores = (scores + scores.T) / 2
    allowed = rng.random((n, n)) > 0.1
    allowed = allowed & allowed.T
    exact = peer_pairs(scores, allowed, method="exact")
    fast = peer_pairs(scores, allowed, method="heuristic")
    assert exact.n_pairs == fast.n_pairs == n // 2
    assert fast.total <= exact.total + 1e-9 <= fast.upper_bound + 2e-9
    assert fast.gap < 0.01


def test_peer_pairs_at_scale_report_a_small_gap_and_are_deterministic():
    rng = np.random.default_rng(5)
    n = 800
    upper = rng.random((n, n))
    scores = (upper + upper.T) / 2
    first = peer_pairs(scores)
    second = peer_pairs(scores)
    assert first.method == "heuristic"
    assert np.array_equal(first.partner, second.partner)
    assert first.n_pairs == n // 2 == first.max_pairs_bound
    assert first.gap < 1e-3
    assert_feasible_peers(first, scores, mask_of(scores, None))


def test_odd_pool_leaves_one_person_unpaired_and_forbidden_pairs_are_never_used():
    scores = np.array([[0, 0.9, 0.8], [0.9, 0, 0.1], [0.8, 0.1, 0]])
    assert peer_pairs(scores).pairs() == [(0, 1)]
    allowed = np.array([[0, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=bool)
    assert peer_pairs(scores, allowed).pairs() == [(0, 2)]


def test_more_pairs_beat_a_larger_total():
    # 0-1 alone scores 1.0; 0-2 plus 1-3 scores 0.2 but pairs everyone
    scores = np.zeros((4, 4))
    for i, j, v in [(0, 1, 1.0), (0, 2, 0.1), (1, 3, 0.1)]:
        scores[i, j] = scores[j, i] = v
    allowed = scores > 0
    for method in ("exact", "heuristic"):
        result = peer_pairs(scores, allowed, method=method)
        assert result.pairs() == [(0, 2), (1, 3)]


def test_peer_pairs_reject_bad_input():
    with pytest.raises(ValueError, match="square"):
        peer_pairs(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        peer_pairs(np.array([[0, 0.2], [0.3, 0]]))
    with pytest.raises(ValueError, match="within"):
        peer_pairs(np.array([[0, 2.0], [2.0, 0]]))
    with pytest.raises(ValueError, match="method"):
        peer_pairs(np.zeros((2, 2)), method="fast")


@st.composite
def circle_programs(draw, max_members=6, max_leaders=3):
    n = draw(st.integers(1, max_members))
    m = draw(st.integers(1, max_leaders))
    k = draw(st.integers(1, 3))
    values = st.floats(0.0, 1.0, allow_nan=False)
    scores = np.array(draw(st.lists(values, min_size=n * m, max_size=n * m))).reshape(n, m)
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    flags = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
    allowed = np.array(flags).reshape(n, m) | draw(st.booleans())
    upper = np.array(draw(st.lists(values, min_size=n * n, max_size=n * n))).reshape(n, n)
    cohesion = np.triu(upper, 1) + np.triu(upper, 1).T
    return scores, cohesion, capacity, k, allowed


def assert_feasible_circles(result, scores, capacity, k, allowed):
    placed = np.flatnonzero(result.leader >= 0)
    assert np.array_equal(placed, np.flatnonzero(result.circle >= 0))
    assert all(allowed[i, result.leader[i]] for i in placed)
    for c, members in enumerate(result.circles()):
        assert 1 <= len(members) <= k
        assert all(result.leader[i] == result.circle_leader[c] for i in members)
    assert np.all(np.bincount(result.circle_leader, minlength=len(capacity)) <= capacity)
    assert result.n_assigned == placed.size
    assert result.leader_total == pytest.approx(
        math.fsum(scores[i, result.leader[i]] for i in placed)
    )


@settings(max_examples=examples(150), deadline=None)
@given(circle_programs())
def test_circles_place_the_most_members_with_the_best_leader_total(program):
    scores, cohesion, capacity, k, allowed = program
    result = form_circles(scores, cohesion, capacity, k, allowed=allowed)
    assert_feasible_circles(result, scores, capacity, k, allowed)
    count, _, total = brute_force(scores, capacity * k, allowed)
    assert result.n_assigned == count
    assert result.leader_total == pytest.approx(total, abs=1e-9)
    assert result.leader_total == pytest.approx(result.leader_optimum)
    sizes = [len(c) for c in result.circles()]
    for j in range(len(capacity)):
        mine = [size for size, lead in zip(sizes, result.circle_leader, strict=True) if lead == j]
        assert not mine or max(mine) - min(mine) <= 1


@settings(max_examples=examples(100), deadline=None)
@given(circle_programs(), st.sampled_from([0.5, 2.0]))
def test_cohesion_swaps_keep_circles_feasible_and_never_lower_the_objective(program, weight):
    scores, cohesion, capacity, k, allowed = program
    plain = form_circles(scores, cohesion, capacity, k, allowed=allowed)
    mixed = form_circles(scores, cohesion, capacity, k, allowed=allowed, cohesion_weight=weight)
    assert_feasible_circles(mixed, scores, capacity, k, allowed)
    assert sorted(len(c) for c in mixed.circles()) == sorted(len(c) for c in plain.circles())
    assert mixed.leader_total <= mixed.leader_optimum + 1e-9
    plain_objective = plain.leader_total + weight * plain.cohesion_total
    assert mixed.objective >= plain_objective - 1e-9


def test_circles_split_a_leader_with_two_circles_by_cohesion():
    # one leader running two circles of two; members 0-1 and 2-3 get on
    scores = np.full((4, 1), 0.5)
    cohesion = np.zeros((4, 4))
    cohesion[0, 1] = cohesion[1, 0] = cohesion[2, 3] = cohesion[3, 2] = 1.0
    result = form_circles(scores, cohesion, [2], 2, cohesion_weight=1.0)
    assert sorted(result.circles()) == [[0, 1], [2, 3]]
    assert result.cohesion_total == 2.0
