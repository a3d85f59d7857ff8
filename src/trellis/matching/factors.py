"""Scores as one matrix product: every criterion written as left @ right.T over feature columns.

Each criterion of `criteria.py` is bilinear in per-person feature columns: skills, goals and
free text directly (indicator or TF-IDF vectors), the categorical ones (seniority, department,
time zone, language) through a lookup table over the distinct values of one side, one-hot on
the other. `ScoreModel` stacks the weighted factors of a program's configuration so that any
block of mentee rows scores with a single matrix product, and never holds the whole matrix:
100,000 x 50,000 pairs would be 20 GB, a block of 500 rows is 100 MB.

The dense scorers in `criteria.py` stay the reference; tests check both give the same matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from trellis.matching.criteria import (
    NEUTRAL,
    Criterion,
    Profile,
    _attribute_values,
    _indicator,
    _normalise,
    _vocabulary,
    department,
    language,
    seniority,
    tfidf,
    time_zone_overlap,
)

__all__ = ["FACTORS", "ScoreModel", "criterion_factors"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Side = FloatArray | sp.csr_array
Factor = tuple[Side, Side]

# A sparse factor wider than this stays sparse (its own sparse product per block).
DENSE_WIDTH_LIMIT = 512
# Rows per block: about this many cells.
BLOCK_CELLS = 2_000_000


def _groups(keys: Sequence[Hashable]) -> tuple[list[int], IntArray]:
    """(index of the first person of each distinct key, key number of every person)."""
    first: dict[Hashable, int] = {}
    inverse = np.empty(len(keys), dtype=np.int64)
    representatives: list[int] = []
    for index, key in enumerate(keys):
        number = first.get(key)
        if number is None:
            number = first[key] = len(representatives)
            representatives.append(index)
        inverse[index] = number
    return representatives, inverse


def _one_hot(inverse: IntArray, width: int) -> sp.csr_array:
    size = inverse.size
    return sp.csr_array((np.ones(size), (np.arange(size), inverse)), shape=(size, max(width, 0)))


def _lookup(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    key: Callable[[Profile], Hashable],
    table: Callable[[list[Profile], list[Profile]], FloatArray],
    mentor_key: Callable[[Profile], Hashable] | None = None,
) -> Factor:
    """A criterion that depends on one key per person (`mentor_key` for mentors when it
    differs), as a table over the distinct keys of the side with fewer of them (one-hot)
    against every person of the other side."""
    rep_e, inv_e = _groups([key(p) for p in mentees])
    rep_r, inv_r = _groups([(mentor_key or key)(p) for p in mentors])
    values = table([mentees[k] for k in rep_e], [mentors[k] for k in rep_r])
    if len(rep_r) <= len(rep_e):
        return np.ascontiguousarray(values[inv_e]), _one_hot(inv_r, len(rep_r))
    return _one_hot(inv_e, len(rep_e)), np.ascontiguousarray(values.T[inv_r])


def _coverage_factors(
    sought: Sequence[frozenset[str]],
    offered: Sequence[frozenset[str]],
    taxonomy: Mapping[str, str] | None,
    partial: float,
) -> list[Factor]:
    """`criteria._coverage` as a product: a/|a| @ ((1 - partial)·b + partial·near).T, and a
    NEUTRAL column for mentees who sought nothing."""
    want = [_normalise(s) for s in sought]
    have = [_normalise(o) for o in offered]
    parent = {k.lower(): v.lower() for k, v in (taxonomy or {}).items()}
    vocabulary = _vocabulary(want)  # an item nobody seeks adds nothing
    a = _indicator(want, vocabulary)
    b = _indicator(have, vocabulary)
    right: Side = b
    if parent and partial > 0:
        families = _vocabulary([[parent[s] for s in vocabulary if s in parent]])
        skill_family = np.full(len(vocabulary), -1)
        for skill, index in vocabulary.items():
            if skill in parent:
                skill_family[index] = families[parent[skill]]
        offered_families = _indicator(
            [{parent[s] for s in h if s in parent} for h in have], families
        )
        has_family = np.flatnonzero(skill_family >= 0)
        # near[j, s]: mentor j offers s, or a skill of s's family
        family_cols = sp.csr_array(offered_families[:, skill_family[has_family]])
        spread = sp.csr_array(
            (np.ones(has_family.size), (np.arange(has_family.size), has_family)),
            shape=(has_family.size, len(vocabulary)),
        )
        near = (b + family_cols @ spread).tocsr()
        near.data = np.minimum(near.data, 1.0)
        right = sp.csr_array((1.0 - partial) * b + partial * near)
    counts = np.asarray(a.sum(axis=1)).ravel()
    stated = counts > 0
    scale = np.divide(1.0, counts, out=np.zeros_like(counts), where=stated)
    left = sp.csr_array(sp.diags_array(scale) @ a)
    neutral = (np.where(stated, 0.0, NEUTRAL)[:, None], np.ones((len(offered), 1)))
    return [(left, right), neutral]


def _skills(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    taxonomy: Mapping[str, str] | None = None,
    partial: float = 0.5,
) -> list[Factor]:
    return _coverage_factors(
        [p.skills_sought for p in mentees], [p.skills_offered for p in mentors], taxonomy, partial
    )


def _goals(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    *,
    taxonomy: Mapping[str, str] | None = None,
    partial: float = 0.5,
) -> list[Factor]:
    return _coverage_factors(
        [p.goals for p in mentees], [p.skills_offered for p in mentors], taxonomy, partial
    )


def _seniority(
    mentees: Sequence[Profile], mentors: Sequence[Profile], **options: Any
) -> list[Factor]:
    return [_lookup(mentees, mentors, lambda p: p.level, lambda a, b: seniority(a, b, **options))]


def _department(
    mentees: Sequence[Profile], mentors: Sequence[Profile], **options: Any
) -> list[Factor]:
    return [
        _lookup(
            mentees,
            mentors,
            lambda p: p.department.strip().lower(),
            lambda a, b: department(a, b, **options),
        )
    ]


def _time_zone(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> list[Factor]:
    return [_lookup(mentees, mentors, lambda p: (p.utc_offset, p.working_hours), time_zone_overlap)]


def _language(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> list[Factor]:
    return [_lookup(mentees, mentors, lambda p: frozenset(_normalise(p.languages)), language)]


def _text(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> list[Factor]:
    """TF-IDF cosine; NEUTRAL when either side wrote nothing."""
    matrix, _ = tfidf([p.text for p in [*mentees, *mentors]])
    matrix = sp.csr_array(matrix)
    a, b = matrix[: len(mentees)], matrix[len(mentees) :]
    both = np.flatnonzero(
        (np.bincount(a.indices, minlength=a.shape[1]) > 0)
        & (np.bincount(b.indices, minlength=b.shape[1]) > 0)
    )
    a, b = a[:, both], b[:, both]  # a word only one side uses adds nothing
    words = np.diff(matrix.indptr)  # a text without a single word is blank
    blank_e = (words[: len(mentees)] == 0).astype(np.float64)
    blank_r = (words[len(mentees) :] == 0).astype(np.float64)
    left = np.column_stack([NEUTRAL * blank_e, NEUTRAL * (1.0 - blank_e)])
    right = np.column_stack([np.ones_like(blank_r), blank_r])
    return [(sp.csr_array(a), sp.csr_array(b)), (left, right)]


def _preferences(mentees: Sequence[Profile], mentors: Sequence[Profile]) -> list[Factor]:
    """Share of stated preferences met: Σ wanted hits + Σ (stated unwanted - unwanted hits),
    over the number stated; NEUTRAL for mentees who stated none."""
    n = len(mentees)
    stated = np.zeros(n)
    terms: list[tuple[Side, Side, float]] = []  # (left, right, sign) before dividing by stated
    constant = np.zeros(n)
    attributes = sorted({a for p in mentees for a in (*p.wanted, *p.not_wanted)})
    for attribute in attributes:
        values = [_attribute_values(p, attribute) for p in mentors]
        for kind in ("wanted", "not_wanted"):
            asks = [_normalise(getattr(p, kind).get(attribute, ())) for p in mentees]
            has = np.array([bool(a) for a in asks], dtype=np.float64)
            if not has.any():
                continue
            stated += has
            if kind == "not_wanted":
                constant += has
            sign = 1.0 if kind == "wanted" else -1.0
            if all(len(v) <= 1 for v in values):
                # single-valued attribute: "any value in common" is the indicator product
                vocabulary = _vocabulary(asks)
                terms.append((_indicator(asks, vocabulary), _indicator(values, vocabulary), sign))
            else:
                hit = _lookup(
                    mentees,
                    mentors,
                    _asks_key(attribute, kind),
                    _hits_table(attribute, kind),
                    mentor_key=_values_key(attribute),
                )
                terms.append((hit[0], hit[1], sign))
    some = stated > 0
    scale = np.divide(1.0, stated, out=np.zeros_like(stated), where=some)
    factors: list[Factor] = []
    for left, right, sign in terms:
        scaled = sign * scale
        if sp.issparse(left):
            factors.append((sp.csr_array(sp.diags_array(scaled) @ left), right))
        else:
            factors.append((np.asarray(left) * scaled[:, None], right))
    base = np.where(some, constant * scale, NEUTRAL)
    factors.append((base[:, None], np.ones((len(mentors), 1))))
    return factors


def _asks_key(attribute: str, kind: str) -> Callable[[Profile], Hashable]:
    def key(person: Profile) -> Hashable:
        return frozenset(_normalise(getattr(person, kind).get(attribute, ())))

    return key


def _values_key(attribute: str) -> Callable[[Profile], Hashable]:
    def key(person: Profile) -> Hashable:
        return frozenset(_attribute_values(person, attribute))

    return key


def _hits_table(attribute: str, kind: str) -> Callable[[list[Profile], list[Profile]], FloatArray]:
    """1 where a mentee's stated values for `attribute` share one with the mentor's values."""

    def table(mentees: list[Profile], mentors: list[Profile]) -> FloatArray:
        asks = [_normalise(getattr(p, kind).get(attribute, ())) for p in mentees]
        values = [_attribute_values(p, attribute) for p in mentors]
        vocabulary = _vocabulary(asks + values)
        product = _indicator(asks, vocabulary) @ _indicator(values, vocabulary).T
        return (np.asarray(product.todense()) > 0).astype(np.float64)

    return table


FACTORS: dict[str, Callable[..., list[Factor]]] = {
    "skills": _skills,
    "goals": _goals,
    "seniority": _seniority,
    "department": _department,
    "time_zone": _time_zone,
    "language": _language,
    "text": _text,
    "preferences": _preferences,
}


def criterion_factors(
    mentees: Sequence[Profile], mentors: Sequence[Profile], criterion: Criterion
) -> list[Factor]:
    """The factors whose products sum to the criterion's (n_mentees, n_mentors) matrix."""
    return FACTORS[criterion.name](mentees, mentors, **criterion.options)


def _dense_side(side: Side) -> FloatArray:
    if sp.issparse(side):
        return np.asarray(side.toarray(), dtype=np.float64)
    return np.asarray(side, dtype=np.float64)


def _rows_dot(left: Side, right: Side, rows: IntArray, cols: IntArray) -> FloatArray:
    """(left[rows] * right[cols]).sum(axis=1): the product at chosen cells only."""
    if sp.issparse(left) or sp.issparse(right):
        a = sp.csr_array(left)[rows]
        b = sp.csr_array(right)[cols]
        return np.asarray(a.multiply(b).sum(axis=1), dtype=np.float64).ravel()
    product = np.einsum("ij,ij->i", np.asarray(left)[rows], np.asarray(right)[cols])
    return np.asarray(product, dtype=np.float64)


class ScoreModel:
    """A program's weighted criteria as stacked feature columns: block(rows) scores those
    mentees against every mentor with one matrix product (plus one sparse product for a very
    wide vocabulary), clipped to [0, 1].

    dtype: float64 (default) or float32, which halves memory and time at very large scale.
    """

    def __init__(
        self,
        mentees: Sequence[Profile],
        mentors: Sequence[Profile],
        criteria: Sequence[Criterion],
        *,
        dtype: npt.DTypeLike = np.float64,
    ) -> None:
        total = sum(c.weight for c in criteria)
        if total <= 0:
            raise ValueError("the criteria weights must not all be zero")
        self.criteria = tuple(criteria)
        self.shape = (len(mentees), len(mentors))
        self.dtype = np.dtype(dtype)
        self.factors: dict[str, list[Factor]] = {}
        dense_left: list[FloatArray] = []
        dense_right: list[FloatArray] = []
        self.sparse: list[tuple[sp.csr_array, sp.csr_array]] = []
        for criterion in criteria:
            parts = criterion_factors(mentees, mentors, criterion)
            self.factors[criterion.name] = parts
            share = criterion.weight / total
            if share == 0:
                continue
            for left, right in parts:
                if sp.issparse(left) and left.shape[1] > DENSE_WIDTH_LIMIT:
                    self.sparse.append(
                        (
                            sp.csr_array(left * share).astype(self.dtype),
                            sp.csr_array(right).T.tocsr(),
                        )
                    )
                    continue
                dense_left.append(_dense_side(left) * share)
                dense_right.append(_dense_side(right))
        n, m = self.shape
        self.left = np.ascontiguousarray(
            np.hstack(dense_left) if dense_left else np.zeros((n, 0)), dtype=self.dtype
        )
        self.right_t = np.ascontiguousarray(
            (np.hstack(dense_right) if dense_right else np.zeros((m, 0))).T, dtype=self.dtype
        )

    @property
    def width(self) -> int:
        """Feature columns of the dense product."""
        return int(self.left.shape[1])

    def block(self, rows: IntArray | slice) -> npt.NDArray[np.floating[Any]]:
        """Scores of mentees `rows` against every mentor, (len(rows), n_mentors)."""
        out: npt.NDArray[np.floating[Any]] = self.left[rows] @ self.right_t
        for left, right_t in self.sparse:
            out += (left[rows] @ right_t).toarray()
        np.clip(out, 0.0, 1.0, out=out)
        return out

    def blocks(self, cells: int = BLOCK_CELLS) -> Iterator[tuple[int, npt.NDArray[Any]]]:
        """(first row, block) over all mentees, about `cells` scores at a time."""
        n, m = self.shape
        step = max(1, cells // max(m, 1))
        for start in range(0, n, step):
            yield start, self.block(slice(start, min(n, start + step)))

    def dense(self) -> FloatArray:
        """The whole (n_mentees, n_mentors) score matrix (small programs, tests)."""
        n, m = self.shape
        if n == 0 or m == 0:
            return np.zeros((n, m))
        return np.asarray(self.block(slice(0, n)), dtype=np.float64)

    def criterion_values(self, rows: IntArray, cols: IntArray) -> dict[str, FloatArray]:
        """criterion name -> its value in [0, 1] at each chosen (mentee, mentor) cell."""
        out: dict[str, FloatArray] = {}
        for criterion in self.criteria:
            value = np.zeros(len(rows))
            for left, right in self.factors[criterion.name]:
                value += _rows_dot(left, right, rows, cols)
            out[criterion.name] = np.clip(value, 0.0, 1.0)
        return out

    def parts(
        self, rows: IntArray, cols: IntArray
    ) -> Mapping[str, Mapping[tuple[int, int], float]]:
        """name -> {(mentee, mentor): value} at the chosen cells, computed in one go; indexable
        as [mentee, mentor] like `score_matrix`'s matrices (explanations of chosen pairs)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        cells = list(zip(rows.tolist(), cols.tolist(), strict=True))
        return {
            name: dict(zip(cells, values.tolist(), strict=True))
            for name, values in self.criterion_values(rows, cols).items()
        }
