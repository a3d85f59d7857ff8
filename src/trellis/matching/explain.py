"""Explanations: each criterion's contribution to a pair's score, a short sentence of the top
reasons, and a specific sentence for every mentee who stayed unmatched."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trellis.matching.criteria import Criterion, Profile, tokens
from trellis.matching.solve import (
    MENTORS_FULL,
    NO_ALLOWED_MENTOR,
    NO_MENTOR_CAPACITY,
    SCORES_BELOW_MINIMUM,
)

__all__ = ["PairExplanation", "contributions", "explain_pair", "explain_unmatched"]

# A criterion is worth mentioning when its value is at least this good.
MENTION_FROM = 0.6


@dataclass(frozen=True)
class PairExplanation:
    """score: the pair's weighted mean; contributions: criterion -> weight·value / Σ weight
    (they sum to the score); sentence: the top reasons in words."""

    score: float
    contributions: dict[str, float]
    sentence: str


def contributions(
    matrices: Mapping[str, Any], criteria: Sequence[Criterion], mentee: int, mentor: int
) -> dict[str, float]:
    """Each criterion's share of the pair's score (the values sum to the score)."""
    total_weight = sum(c.weight for c in criteria)
    return {
        c.name: c.weight * float(matrices[c.name][mentee, mentor]) / total_weight for c in criteria
    }


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _shared(wanted: Iterable[str], offered: Iterable[str]) -> list[str]:
    """Items on both lists, compared without case, spelled as the second list spells them."""
    wanted_keys = {item.strip().lower() for item in wanted}
    spelled = {item.strip().lower(): item.strip() for item in offered}
    return [spelled[key] for key in sorted(wanted_keys & spelled.keys())]


def _phrase(
    name: str, value: float, mentee: Profile, mentor: Profile, options: Mapping[str, object]
) -> str:
    """Why criterion `name` scored well for this pair, in words (empty if nothing to say)."""
    first = mentor.name.split()[0] if mentor.name else "your mentor"
    if name == "skills":
        shared = _shared(mentee.skills_sought, mentor.skills_offered)
        if shared:
            return f"{first} offers {_listing(shared[:3])}, which you asked for"
        return f"{first} offers skills close to the ones you asked for"
    if name == "goals":
        shared = _shared(mentee.goals, mentor.skills_offered)
        if shared:
            return f"{first} has experience in {_listing(shared[:3])}, which you want to work on"
        return f"{first}'s experience fits your goals"
    if name == "seniority":
        if mentee.level is not None and mentor.level is not None:
            gap = mentor.level - mentee.level
            if options.get("reverse"):
                return f"a reverse pairing across {abs(gap):g} levels"
            return f"{first} is {gap:g} level{'s' if abs(gap) != 1 else ''} more senior"
        return ""
    if name == "department":
        if options.get("prefer", "different") == "same":
            return f"both in {mentor.department}"
        return f"a view from outside your department ({mentor.department})"
    if name == "time_zone":
        if value >= 0.999:
            return "your working hours fully overlap"
        return f"your working hours overlap {value:.0%}"
    if name == "language":
        shared = _shared(mentee.languages, mentor.languages)
        return f"you both speak {_listing(shared[:2])}" if shared else ""
    if name == "text":
        common = sorted(set(tokens(mentee.text)) & set(tokens(mentor.text)))
        if common:
            return f"you wrote about the same things ({_listing(common[:3])})"
        return "your profiles read alike"
    if name == "preferences":
        return "it fits your stated preferences"
    return name


def explain_pair(
    mentee: Profile,
    mentor: Profile,
    matrices: Mapping[str, Any],
    criteria: Sequence[Criterion],
    mentee_index: int,
    mentor_index: int,
    *,
    top: int = 3,
) -> PairExplanation:
    """Contributions and a sentence naming up to `top` criteria that scored best."""
    parts = contributions(matrices, criteria, mentee_index, mentor_index)
    options = {c.name: c.options for c in criteria}
    ranked = sorted(criteria, key=lambda c: (-parts[c.name], c.name))
    phrases = []
    for c in ranked:
        value = float(matrices[c.name][mentee_index, mentor_index])
        if c.weight <= 0 or value < MENTION_FROM:
            continue
        phrase = _phrase(c.name, value, mentee, mentor, options[c.name])
        if phrase:
            phrases.append(phrase)
        if len(phrases) == top:
            break
    # Semicolons between reasons: each reason may itself be a list ("A, B and C").
    sentence = "; ".join(phrases) if phrases else "the best available pairing overall"
    sentence = sentence[0].upper() + sentence[1:] + "."
    return PairExplanation(score=sum(parts.values()), contributions=parts, sentence=sentence)


def explain_unmatched(
    reason: str,
    mentee_index: int,
    scores: np.ndarray,
    capacity: np.ndarray,
    *,
    allowed: np.ndarray | None = None,
    min_score: float | None = None,
) -> str:
    """A specific sentence for why a mentee stayed unmatched (reason code from `assign`)."""
    row = scores[mentee_index]
    ok = np.ones(row.shape, dtype=bool) if allowed is None else allowed[mentee_index]
    if reason == NO_ALLOWED_MENTOR:
        return (
            "No mentor is allowed for this person: every mentor is the same person, in their "
            "reporting line, excluded or a previous pair."
        )
    if reason == NO_MENTOR_CAPACITY:
        return f"The {int(ok.sum())} allowed mentor(s) take no mentees (capacity 0)."
    if reason == SCORES_BELOW_MINIMUM:
        best = float(row[ok & (capacity > 0)].max())
        return f"Every allowed mentor scores below the minimum {min_score:.2f} (best {best:.2f})."
    if reason == MENTORS_FULL:
        eligible = ok & (capacity > 0)
        if min_score is not None:
            eligible &= row >= min_score
        return (
            f"All {int(eligible.sum())} suitable mentor(s) are full; giving this person one of "
            "them would leave another mentee unmatched or lower the program's total."
        )
    return reason or "Matched."
