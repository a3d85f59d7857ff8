"""The matching engine: criteria, exact solver and explanations. numpy/scipy, plus OR-Tools'
min-cost flow for large programs; imports nothing from Django or the apps
(tests/matching/test_isolation.py enforces it)."""

from trellis.matching.criteria import Criterion, Profile, allowed_pairs, score_matrix
from trellis.matching.explain import PairExplanation, explain_pair, explain_unmatched
from trellis.matching.factors import ScoreModel
from trellis.matching.groups import CircleResult, PeerResult, form_circles, peer_pairs
from trellis.matching.solve import Assignment, assign
from trellis.matching.stable import (
    StableResult,
    blocking_pairs,
    preferences_from_scores,
    stable_match,
)

__all__ = [
    "Assignment",
    "CircleResult",
    "Criterion",
    "PairExplanation",
    "PeerResult",
    "Profile",
    "ScoreModel",
    "StableResult",
    "allowed_pairs",
    "assign",
    "blocking_pairs",
    "explain_pair",
    "explain_unmatched",
    "form_circles",
    "peer_pairs",
    "preferences_from_scores",
    "score_matrix",
    "stable_match",
]
