"""Matching criteria: named scorers giving (n_mentees, n_mentors) matrices in [0, 1], their
weighted mean, and the hard-constraint mask (who may never be paired).

Every scorer is bilinear in per-person feature columns (a matrix product), so a program of
thousands scores in milliseconds. A criterion with nothing to compare (a blank answer) scores
`NEUTRAL` so that silence neither helps nor hurts.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = [
    "CRITERIA",
    "NEUTRAL",
    "AllowedRows",
    "Criterion",
    "Profile",
    "allowed_pairs",
    "criterion_matrices",
    "department",
    "forbidden_pairs",
    "goals",
    "language",
    "preferences",
    "score_matrix",
    "seniority",
    "skills",
    "text_similarity",
    "time_zone_overlap",
    "weighted_mean",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NEUTRAL = 0.5


@dataclass(frozen=True)
class Profile:
    """What the engine knows about one participant (mentee or mentor).

    level: seniority on the program's ladder (higher is more senior); utc_offset in hours;
    working_hours: local (start, end) hours; wanted / not_wanted: stated preferences as
    attribute -> values, attributes being "department", "location", "languages", "id".
    """

    id: str
    name: str = ""
    department: str = ""
    title: str = ""
    location: str = ""
    level: float | None = None
    utc_offset: float | None = None
    working_hours: tuple[float, float] = (9.0, 17.0)
    languages: frozenset[str] = frozenset()
    skills_offered: frozenset[str] = frozenset()
    skills_sought: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    text: str = ""
    manager_id: str | None = None
    capacity: int = 1
    exclude_ids: frozenset[str] = frozenset()
    wanted: Mapping[str, frozenset[str]] = field(default_factory=dict)
    not_wanted: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _vocabulary(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    vocabulary: dict[str, int] = {}
    for group in groups:
        for item in group:
            vocabulary.setdefault(item, len(vocabulary))
    return vocabulary


def _indicator(sets: Sequence[Iterable[str]], vocabulary: Mapping[str, int]) -> sp.csr_array:
    rows, cols = [], []
    for r, items in enumerate(sets):
        for item in items:
            if item in vocabulary:
                rows.append(r)
                cols.append(vocabulary[item])
    data = np.ones(len(rows))
    matrix = sp.csr_array((data, (rows, cols)), shape=(len(sets), len(vocabulary)))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _dense(matrix: sp.csr_array | FloatArray) -> FloatArray:
    return np.asarray(matrix.todense() if sp.issparse(matrix) else matrix, dtype=np.float64)


def _normalise(values: Iterable[str]) -> list[str]:
    if isinstance(values, frozenset):
        return list(_normalised_set(values))
    return [v.strip().lower() for v in values if v.strip()]


@functools.lru_cache(maxsize=65_536)
def _normalised_set(values: frozenset[str]) -> tuple[str, ...]:
    """Profiles share the same few sets (languages, skills): normalise each once, in sorted
    order so that vocabularies (and float sums) do not depend on the process's hash seed."""
    return tuple(sorted({v.strip().lower() for v in values if v.strip()}))


def _coverage(
    sought: Sequence[frozenset[str]],
    offered: Sequence[frozenset[str]],
    taxonomy: Mapping[str, str] | None,
    partial: float,
) -> FloatArray:
    """Share of each mentee's sought items that a mentor offers; `partial` credit when the
    mentor offers a sibling in the taxonomy (same parent) instead."""
    want = [_normalise(s) for s in sought]
    have = [_normalise(o) for o in offered]
    parent = {k.lower(): v.lower() for k, v in (taxonomy or {}).items()}
    vocabulary = _vocabulary(want + have)
    a = _indicator(want, vocabulary)
    b = _indicator(have, vocabulary)
    exact = _dense(a @ b.T)
    if parent and partial > 0:
        families = _vocabulary([[parent[s] for s in vocabulary if s in parent]])
        # near[j, s]: mentor j offers s or a skill with s's parent
        skill_family = np.full(len(vocabulary), -1)
        for skill, index in vocabulary.items():
            if skill in parent:
                skill_family[index] = families[parent[skill]]
        offered_families = _indicator(
            [{parent[s] for s in h if s in parent} for h in have], families
        )
        has_family = skill_family >= 0
        near_cols = np.zeros((len(have), len(vocabulary)))
        if has_family.any():
            near_cols[:, has_family] = _dense(offered_families)[:, skill_family[has_family]]
        near = np.maximum(_dense(b), near_cols)
        close = _dense(a @ near.T)
        exact = exact + partial * (close - exact)
    counts = np.asarray(a.sum(axis=1)).ravel()
    out = np.full(exact.shape, NEUTRAL, dtype=np.float64)
    stated = counts > 0
    out[stated] = exact[stated] / counts[stated, None]
    return np.clip(out, 0.0, 1.0)


def skills(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    taxonomy: Mapping[str, str] | None = None,
    partial: float = 0.5,
) -> FloatArray:
    """Skills the mentee seeks that the mentor offers (taxonomy: skill -> parent family)."""
    return _coverage(
        [p.skills_sought for p in mentees], [p.skills_offered for p in mentors], taxonomy, partial
    )


def goals(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    taxonomy: Mapping[str, str] | None = None,
    partial: float = 0.5,
) -> FloatArray:
    """The mentee's goals against the mentor's expertise (skills offered)."""
    return _coverage(
        [p.goals for p in mentees], [p.skills_offered for p in mentors], taxonomy, partial
    )


def seniority(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    min_gap: float = 1.0,
    max_gap: float = 4.0,
    slack: float = 2.0,
    reverse: bool = False,
) -> FloatArray:
    """1 when the mentor is min_gap..max_gap levels above the mentee (below, when `reverse`),
    falling linearly to 0 over `slack` levels outside that range."""
    a = np.array([np.nan if p.level is None else p.level for p in mentees], dtype=np.float64)
    b = np.array([np.nan if p.level is None else p.level for p in mentors], dtype=np.float64)
    gap = b[None, :] - a[:, None]
    if reverse:
        gap = -gap
    distance = np.maximum(min_gap - gap, 0.0) + np.maximum(gap - max_gap, 0.0)
    out = np.clip(1.0 - distance / max(slack, 1e-9), 0.0, 1.0)
    return np.where(np.isnan(gap), NEUTRAL, out)


def department(
    mentees: Sequence[Profile], mentors: Sequence[Profile], *, prefer: str = "different"
) -> FloatArray:
    """1 when departments differ (prefer="different") or are the same (prefer="same")."""
    if prefer not in ("same", "different"):
        raise ValueError('department prefer must be "same" or "different"')
    names = _vocabulary([[p.department.strip().lower() for p in [*mentees, *mentors]]])
    a = np.array([names[p.department.strip().lower()] for p in mentees])
    b = np.array([names[p.department.strip().lower()] for p in mentors])
    same = (a[:, None] == b[None, :]).astype(np.float64)
    out = same if prefer == "same" else 1.0 - same
    blank = (
        np.array([not p.department.strip() for p in mentees], dtype=bool)[:, None]
        | np.array([not p.department.strip() for p in mentors], dtype=bool)[None, :]
    )
    return np.where(blank, NEUTRAL, out)


def _circular_overlap(
    start_a: FloatArray, end_a: FloatArray, start_b: FloatArray, end_b: FloatArray
) -> FloatArray:
    total = np.zeros(np.broadcast_shapes(start_a.shape, start_b.shape))
    for shift in (-24.0, 0.0, 24.0):
        lo = np.maximum(start_a, start_b + shift)
        hi = np.minimum(end_a, end_b + shift)
        total += np.maximum(hi - lo, 0.0)
    return total


def time_zone_overlap(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> FloatArray:
    """Shared working hours (UTC) as a share of the shorter working day."""

    def utc_window(people: Sequence[Profile]) -> tuple[FloatArray, FloatArray, FloatArray]:
        offset = np.array([np.nan if p.utc_offset is None else p.utc_offset for p in people])
        start = np.array([p.working_hours[0] for p in people], dtype=np.float64) - offset
        length = np.array([(p.working_hours[1] - p.working_hours[0]) % 24 for p in people])
        start = np.mod(start, 24.0)
        return start, start + length, length

    sa, ea, la = utc_window(mentees)
    sb, eb, lb = utc_window(mentors)
    overlap = _circular_overlap(sa[:, None], ea[:, None], sb[None, :], eb[None, :])
    shorter = np.minimum(la[:, None], lb[None, :])
    out = np.divide(overlap, shorter, out=np.zeros_like(overlap), where=shorter > 0)
    out = np.clip(out, 0.0, 1.0)
    return np.where(np.isnan(out) | np.isnan(sa)[:, None] | np.isnan(sb)[None, :], NEUTRAL, out)


def language(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> FloatArray:
    """1 when the two share at least one language."""
    a_sets = [_normalise(p.languages) for p in mentees]
    b_sets = [_normalise(p.languages) for p in mentors]
    vocabulary = _vocabulary(a_sets + b_sets)
    shared = _dense(_indicator(a_sets, vocabulary) @ _indicator(b_sets, vocabulary).T) > 0
    blank_a = np.array([not s for s in a_sets], dtype=bool)
    blank = blank_a[:, None] | np.array([not s for s in b_sets], dtype=bool)[None, :]
    return np.where(blank, NEUTRAL, shared.astype(np.float64))


_WORD = re.compile(r"[a-z0-9][a-z0-9+#.-]*[a-z0-9+#]|[a-z0-9]")
_STOP_TEXT = """
a an and are as at be by for from has have i in is it its me my of on or our so that the their
them they this to was we were will with you your want would like learn get more about how
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())


def tokens(text: str) -> list[str]:
    """Lower-case words of a free-text answer, without stop words."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]


def tfidf(documents: Sequence[str]) -> tuple[sp.csr_array, dict[str, int]]:
    """Row-normalised TF-IDF (sublinear tf, smoothed idf) fitted on `documents` themselves."""
    docs = [tokens(d) for d in documents]
    vocabulary = _vocabulary(docs)
    rows, cols = [], []
    for r, words in enumerate(docs):
        for w in words:
            rows.append(r)
            cols.append(vocabulary[w])
    counts = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(vocabulary)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocabulary))
    idf = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
    weights = counts.copy()
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices]
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    weights = sp.csr_array(sp.diags_array(1.0 / norms) @ weights)
    return weights, vocabulary


def text_similarity(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> FloatArray:
    """TF-IDF cosine similarity of the free-text answers, fitted on this program's text."""
    matrix, _ = tfidf([p.text for p in [*mentees, *mentors]])
    a, b = matrix[: len(mentees)], matrix[len(mentees) :]
    out = np.clip(_dense(a @ b.T), 0.0, 1.0)
    blank = (
        np.array([not tokens(p.text) for p in mentees], dtype=bool)[:, None]
        | np.array([not tokens(p.text) for p in mentors], dtype=bool)[None, :]
    )
    return np.where(blank, NEUTRAL, out)


def _attribute_values(person: Profile, attribute: str) -> list[str]:
    if attribute == "languages":
        return _normalise(person.languages)
    if attribute in ("department", "location", "title", "id"):
        return _normalise([str(getattr(person, attribute))])
    raise ValueError(f"unknown preference attribute {attribute!r}")


def preferences(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> FloatArray:
    """Stated preferences of the mentee about the mentor: each wanted attribute met and each
    unwanted one avoided earns a point; the score is the share of points (NEUTRAL if none)."""
    n, m = len(mentees), len(mentors)
    points = np.zeros((n, m))
    stated = np.zeros(n)
    attributes = sorted({a for p in mentees for a in (*p.wanted, *p.not_wanted)})
    for attribute in attributes:
        values = [_attribute_values(p, attribute) for p in mentors]
        for kind in ("wanted", "not_wanted"):
            asks = [_normalise(getattr(p, kind).get(attribute, ())) for p in mentees]
            vocabulary = _vocabulary(asks + values)
            hit = _dense(_indicator(asks, vocabulary) @ _indicator(values, vocabulary).T) > 0
            has = np.array([bool(a) for a in asks], dtype=bool)
            points += np.where(has[:, None], hit if kind == "wanted" else ~hit, 0.0)
            stated += has
    out = np.full((n, m), NEUTRAL)
    some = stated > 0
    out[some] = points[some] / stated[some, None]
    return out


CRITERIA: dict[str, Callable[..., FloatArray]] = {
    "skills": skills,
    "goals": goals,
    "seniority": seniority,
    "department": department,
    "time_zone": time_zone_overlap,
    "language": language,
    "text": text_similarity,
    "preferences": preferences,
}


def criterion_options(exclude: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """criterion name -> {option: default}: each scorer's keyword-only parameters.

    The single source of truth for which options a configuration may set; `exclude` drops
    options a caller computes itself (the program app supplies the skills taxonomy).
    """
    skipped = set(exclude)
    return {
        name: {
            parameter.name: parameter.default
            for parameter in inspect.signature(scorer).parameters.values()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.name not in skipped
        }
        for name, scorer in CRITERIA.items()
    }


@dataclass(frozen=True)
class Criterion:
    """One named criterion of a program's configuration, its weight and options."""

    name: str
    weight: float = 1.0
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in CRITERIA:
            raise ValueError(f"unknown criterion {self.name!r}; known: {', '.join(CRITERIA)}")
        if not (self.weight >= 0 and math.isfinite(self.weight)):
            raise ValueError(f"criterion {self.name!r} needs a finite weight >= 0")


def criterion_matrices(
    mentees: Sequence[Profile], mentors: Sequence[Profile], criteria: Sequence[Criterion]
) -> dict[str, FloatArray]:
    """name -> (n_mentees, n_mentors) float64 in [0, 1], one per configured criterion."""
    return {c.name: CRITERIA[c.name](mentees, mentors, **c.options) for c in criteria}


def weighted_mean(matrices: Mapping[str, FloatArray], criteria: Sequence[Criterion]) -> FloatArray:
    """Σ weight·matrix / Σ weight, clipped to [0, 1]."""
    total_weight = sum(c.weight for c in criteria)
    if total_weight <= 0:
        raise ValueError("the criteria weights must not all be zero")
    out = sum(c.weight * matrices[c.name] for c in criteria) / total_weight
    return np.clip(np.asarray(out, dtype=np.float64), 0.0, 1.0)


def score_matrix(
    mentees: Sequence[Profile], mentors: Sequence[Profile], criteria: Sequence[Criterion]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """(scores, per-criterion matrices) for a program's configuration."""
    matrices = criterion_matrices(mentees, mentors, criteria)
    return weighted_mean(matrices, criteria), matrices


def _ancestors(person_id: str, managers: Mapping[str, str | None]) -> set[str]:
    seen: set[str] = set()
    current = managers.get(person_id)
    while current is not None and current not in seen and current != person_id:
        seen.add(current)
        current = managers.get(current)
    return seen


def forbidden_pairs(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    managers: Mapping[str, str | None] | None = None,
    previous_pairs: Iterable[tuple[str, str]] = (),
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(mentee indices, mentor indices) of the pairs that may never be made: the same person,
    anyone in the other's reporting line (either direction), an exclusion stated by either
    side, a previous (ended) pair. `managers` maps person id -> manager id (defaults to the
    profiles' manager_id). A handful per person, so a program of any size keeps them as a list.
    """
    if managers is None:
        managers = {p.id: p.manager_id for p in [*mentees, *mentors] if p.manager_id}
    mentor_index: dict[str, list[int]] = {}
    for j, p in enumerate(mentors):
        mentor_index.setdefault(p.id, []).append(j)
    mentee_index: dict[str, list[int]] = {}
    for i, p in enumerate(mentees):
        mentee_index.setdefault(p.id, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for i, p in enumerate(mentees):
        for other in {p.id, *_ancestors(p.id, managers), *p.exclude_ids}:
            pairs.update((i, j) for j in mentor_index.get(other, ()))
    for j, p in enumerate(mentors):
        for other in {*_ancestors(p.id, managers), *p.exclude_ids}:
            pairs.update((i, j) for i in mentee_index.get(other, ()))
    for mentee_id, mentor_id in previous_pairs:
        for i in mentee_index.get(mentee_id, ()):
            pairs.update((i, j) for j in mentor_index.get(mentor_id, ()))
    ordered = sorted(pairs)
    rows = np.array([i for i, _ in ordered], dtype=np.int64)
    cols = np.array([j for _, j in ordered], dtype=np.int64)
    return rows, cols


class AllowedRows:
    """`allowed` for `assign` as a function of mentee rows, from the forbidden pairs: the
    whole (n_mentees, n_mentors) mask is never built (100,000 x 50,000 would be 5 GB)."""

    def __init__(
        self,
        forbidden: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
        shape: tuple[int, int],
    ) -> None:
        rows, cols = forbidden
        self.shape = shape
        self.matrix = sp.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=shape)

    def __call__(self, mentees: npt.NDArray[np.int64]) -> BoolArray:
        mask = np.ones((len(mentees), self.shape[1]), dtype=bool)
        part = self.matrix[np.asarray(mentees)]
        mask[part.nonzero()] = False
        return mask


def allowed_pairs(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    managers: Mapping[str, str | None] | None = None,
    previous_pairs: Iterable[tuple[str, str]] = (),
) -> BoolArray:
    """(n_mentees, n_mentors) bool: False for the `forbidden_pairs` and for a mentor without
    capacity; the minimum score is applied by the solver."""
    ok = np.ones((len(mentees), len(mentors)), dtype=bool)
    rows, cols = forbidden_pairs(mentees, mentors, managers=managers, previous_pairs=previous_pairs)
    ok[rows, cols] = False
    ok[:, [p.capacity <= 0 for p in mentors]] = False
    return ok
