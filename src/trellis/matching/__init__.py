"""The matching engine: criteria, exact solver and explanations. Pure numpy/scipy; imports
nothing from Django or the apps (tests/matching/test_isolation.py enforces it)."""

from trellis.matching.criteria import Criterion, Profile, allowed_pairs, score_matrix
from trellis.matching.explain import PairExplanation, explain_pair, explain_unmatched
from trellis.matching.solve import Assignment, assign

__all__ = [
    "Assignment",
    "Criterion",
    "PairExplanation",
    "Profile",
    "allowed_pairs",
    "assign",
    "explain_pair",
    "explain_unmatched",
    "score_matrix",
]
