import itertools
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.matching.stable import blocking_pairs, preferences_from_scores, stable_match


def examples(default):
    """Hypothesis examples per property test; TRELLIS_MATCHING_EXAMPLES=3000 for a long hunt."""
    return int(os.environ.get("TRELLIS_MATCHING_EXAMPLES", default))


@st.composite
def ranked_instances(draw, max_mentees=4, max_mentors=3):
    """Incomplete preference lists on both sides, capacities 0..2."""
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    mentee_prefs = [
        draw(st.permutations(range(m)).flatmap(lambda p: st.integers(0, m).map(lambda k: p[:k])))
        for _ in range(n)
    ]
    mentor_prefs = [
        draw(st.permutations(range(n)).flatmap(lambda p: st.integers(0, n).map(lambda k: p[:k])))
        for _ in range(m)
    ]
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    return [list(p) for p in mentee_prefs], [list(p) for p in mentor_prefs], capacity


def rank_of(prefs, who, other):
    """Position of `other` on `who`'s list; unmatched (-1) ranks after everyone."""
    return len(prefs[who]) if other < 0 else prefs[who].index(other)


def is_stable(mentor, mentee_prefs, mentor_prefs, capacity):
    """Independent definition: feasible, individually rational and without a blocking pair."""
    n, m = len(mentee_prefs), len(mentor_prefs)
    members = [[i for i in range(n) if mentor[i] == j] for j in range(m)]
    for j in range(m):
        if len(members[j]) > capacity[j]:
            return False
    for i, j in enumerate(mentor):
        if j >= 0 and (j not in mentee_prefs[i] or i not in mentor_prefs[j]):
            return False
    for i in range(n):
        for j in range(m):
            if mentor[i] == j or j not in mentee_prefs[i] or i not in mentor_prefs[j]:
                continue
            mentee_wants = rank_of(mentee_prefs, i, j) < rank_of(mentee_prefs, i, mentor[i])
            mentor_wants = len(members[j]) < capacity[j] or any(
                mentor_prefs[j].index(i) < mentor_prefs[j].index(k) for k in members[j]
            )
            if mentee_wants and mentor_wants:
                return False
    return True


def all_assignments(mentee_prefs, mentor_prefs, capacity):
    """Every assignment of mentees to mutually acceptable mentors within capacity."""
    n = len(mentee_prefs)
    options = [[-1, *[j for j in mentee_prefs[i] if i in mentor_prefs[j]]] for i in range(n)]
    for combo in itertools.product(*options):
        load = np.bincount([j for j in combo if j >= 0], minlength=len(mentor_prefs))
        if np.all(load <= capacity):
            yield np.array(combo)


def all_stable(mentee_prefs, mentor_prefs, capacity):
    return [
        a
        for a in all_assignments(mentee_prefs, mentor_prefs, capacity)
        if is_stable(a, mentee_prefs, mentor_prefs, capacity)
    ]


@settings(max_examples=examples(300), deadline=None)
@given(ranked_instances())
def test_deferred_acceptance_is_stable_feasible_and_mentee_optimal(instance):
    mentee_prefs, mentor_prefs, capacity = instance
    result = stable_match(mentee_prefs, mentor_prefs, capacity)
    mentor = result.mentor
    assert mentor.shape == (len(mentee_prefs),)
    assert np.all(np.bincount(mentor[mentor >= 0], minlength=len(capacity)) <= capacity)
    for i, j in result.pairs():
        assert j in mentee_prefs[i] and i in mentor_prefs[j]
    assert result.n_matched == int((mentor >= 0).sum())
    assert blocking_pairs(mentor, mentee_prefs, mentor_prefs, capacity) == []
    assert is_stable(mentor, mentee_prefs, mentor_prefs, capacity)

    stable = all_stable(mentee_prefs, mentor_prefs, capacity)
    assert any(np.array_equal(mentor, other) for other in stable)
    for other in stable:
        for i in range(len(mentee_prefs)):
            assert rank_of(mentee_prefs, i, mentor[i]) <= rank_of(mentee_prefs, i, other[i])


@settings(max_examples=examples(300), deadline=None)
@given(ranked_instances())
def test_every_stable_matching_matches_the_same_mentees_and_fills_mentors_alike(instance):
    # the rural-hospitals theorem: same matched mentees, same number per mentor
    mentee_prefs, mentor_prefs, capacity = instance
    stable = all_stable(mentee_prefs, mentor_prefs, capacity)
    m = len(mentor_prefs)
    first = stable[0]
    for other in stable[1:]:
        assert np.array_equal(first >= 0, other >= 0)
        assert np.array_equal(
            np.bincount(first[first >= 0], minlength=m), np.bincount(other[other >= 0], minlength=m)
        )


@settings(max_examples=examples(300), deadline=None)
@given(ranked_instances())
def test_blocking_pair_checker_agrees_with_the_definition_on_every_assignment(instance):
    mentee_prefs, mentor_prefs, capacity = instance
    for a in all_assignments(mentee_prefs, mentor_prefs, capacity):
        found = blocking_pairs(a, mentee_prefs, mentor_prefs, capacity)
        assert (found == []) == is_stable(a, mentee_prefs, mentor_prefs, capacity)
        for i, j in found:
            assert a[i] != j and j in mentee_prefs[i] and i in mentor_prefs[j]


def test_checker_finds_the_pair_a_swap_breaks():
    # both mentees prefer mentor 0, who prefers mentee 1: giving mentor 0 to mentee 0 is unstable
    mentee_prefs = [[0, 1], [0, 1]]
    mentor_prefs = [[1, 0], [0, 1]]
    capacity = [1, 1]
    assert stable_match(mentee_prefs, mentor_prefs, capacity).mentor.tolist() == [1, 0]
    assert blocking_pairs([0, 1], mentee_prefs, mentor_prefs, capacity) == [(1, 0)]
    # leaving everyone unmatched: every mutually acceptable pair blocks
    assert blocking_pairs([-1, -1], mentee_prefs, mentor_prefs, capacity) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]


def test_checker_rejects_infeasible_assignments():
    with pytest.raises(ValueError, match="capacity"):
        blocking_pairs([0, 0], [[0], [0]], [[0, 1]], [1])
    with pytest.raises(ValueError, match="mutually acceptable"):
        blocking_pairs([0, -1], [[0], [0]], [[1]], [1])


def test_capacity_lets_a_mentor_hold_several_mentees_in_their_order():
    mentee_prefs = [[0], [0], [0]]
    mentor_prefs = [[2, 0, 1]]
    result = stable_match(mentee_prefs, mentor_prefs, [2])
    assert result.mentor.tolist() == [0, -1, 0]


def test_bad_preferences_are_rejected():
    with pytest.raises(ValueError, match="outside"):
        stable_match([[3]], [[0]], [1])
    with pytest.raises(ValueError, match="twice"):
        stable_match([[0, 0]], [[0]], [1])
    with pytest.raises(ValueError, match="capacity"):
        stable_match([[0]], [[0]], [1, 1])


@settings(max_examples=examples(100), deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.integers(1, 4).flatmap(
            lambda m: st.tuples(
                st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n * m, max_size=n * m).map(
                    lambda v: np.array(v).reshape(n, m)
                ),
                st.lists(st.booleans(), min_size=n * m, max_size=n * m).map(
                    lambda v: np.array(v).reshape(n, m)
                ),
            )
        )
    )
)
def test_preferences_from_scores_rank_allowed_pairs_by_score_then_index(instance):
    scores, allowed = instance
    mentee_prefs, mentor_prefs = preferences_from_scores(scores, allowed)
    n, m = scores.shape
    for i in range(n):
        assert mentee_prefs[i] == sorted(
            (j for j in range(m) if allowed[i, j]), key=lambda j: (-scores[i, j], j)
        )
    for j in range(m):
        assert mentor_prefs[j] == sorted(
            (i for i in range(n) if allowed[i, j]), key=lambda i: (-scores[i, j], i)
        )
    result = stable_match(mentee_prefs, mentor_prefs, np.ones(m, dtype=int))
    assert all(allowed[i, j] for i, j in result.pairs())


def test_stable_match_is_deterministic_at_scale():
    rng = np.random.default_rng(7)
    scores = rng.random((1000, 500))
    allowed = rng.random(scores.shape) > 0.05
    mentee_prefs, mentor_prefs = preferences_from_scores(scores, allowed)
    capacity = np.full(500, 2)
    first = stable_match(mentee_prefs, mentor_prefs, capacity)
    second = stable_match(mentee_prefs, mentor_prefs, capacity)
    assert np.array_equal(first.mentor, second.mentor)
    assert blocking_pairs(first.mentor, mentee_prefs, mentor_prefs, capacity) == []
