"""Stable matching when participants rank each other: mentee-proposing deferred acceptance with
mentor capacities (the hospitals/residents problem), a blocking-pair checker, and rankings
derived from a score matrix.

Preferences are preference lists: `mentee_prefs[i]` lists the mentors mentee i accepts, best
first; `mentor_prefs[j]` lists the mentees mentor j accepts, best first. Lists may be
incomplete; a pair is acceptable only when each appears on the other's list.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["StableResult", "blocking_pairs", "preferences_from_scores", "stable_match"]

IntArray = npt.NDArray[np.int64]
Preferences = Sequence[Sequence[int]]


@dataclass(frozen=True)
class StableResult:
    """Result of `stable_match`.

    mentor: (n_mentees,) int64, each mentee's mentor or -1 when unmatched.
    n_matched: number of matched mentees.
    proposals: how many proposals deferred acceptance made (at most the total list length).
    """

    mentor: IntArray
    n_matched: int
    proposals: int

    def pairs(self) -> list[tuple[int, int]]:
        """Matched (mentee, mentor) pairs in mentee order."""
        return [(int(i), int(j)) for i, j in enumerate(self.mentor) if j >= 0]


def _check_lists(prefs: Preferences, n_other: int, side: str) -> list[list[int]]:
    lists = []
    for k, row in enumerate(prefs):
        items = np.asarray(row, dtype=np.int64).reshape(-1)
        if items.size and (items.min() < 0 or items.max() >= n_other):
            raise ValueError(f"{side} {k} ranks an index outside 0..{n_other - 1}")
        as_list = items.tolist()
        if len(set(as_list)) != len(as_list):
            raise ValueError(f"{side} {k} ranks someone twice")
        lists.append(as_list)
    return lists


def _validate(
    mentee_prefs: Preferences, mentor_prefs: Preferences, capacity: npt.ArrayLike
) -> tuple[list[list[int]], list[dict[int, int]], IntArray]:
    """Checked mentee lists, mentor rank dictionaries (mentee -> position) and capacities."""
    n, m = len(mentee_prefs), len(mentor_prefs)
    cap = np.asarray(capacity)
    if cap.shape != (m,):
        raise ValueError(f"capacity must have shape ({m},), got {cap.shape}")
    if cap.size and not np.all(cap == np.round(cap)):
        raise ValueError("capacity must hold integers")
    cap = cap.astype(np.int64)
    if np.any(cap < 0):
        raise ValueError("capacity must be >= 0")
    mentee_lists = _check_lists(mentee_prefs, m, "mentee")
    mentor_rank = [
        dict(zip(row, range(len(row)), strict=True))
        for row in _check_lists(mentor_prefs, n, "mentor")
    ]
    return mentee_lists, mentor_rank, cap


def stable_match(
    mentee_prefs: Preferences, mentor_prefs: Preferences, capacity: npt.ArrayLike
) -> StableResult:
    """Mentee-optimal stable matching by mentee-proposing deferred acceptance.

    mentee_prefs: n_mentees lists of mentor indices, best first (incomplete lists allowed).
    mentor_prefs: n_mentors lists of mentee indices, best first (incomplete lists allowed).
    capacity: (n_mentors,) int >= 0, how many mentees each mentor takes.

    Only mutually acceptable pairs are formed. The result is stable (no blocking pair), every
    mentee gets the best mentor they have in any stable matching, and it does not depend on
    the order of proposals; free mentees propose in index order, so runs are reproducible.
    Time O(total length of the lists · log capacity).
    """
    mentee_lists, mentor_rank, cap = _validate(mentee_prefs, mentor_prefs, capacity)
    n, m = len(mentee_lists), len(mentor_rank)
    mentor = np.full(n, -1, dtype=np.int64)
    next_choice = [0] * n
    # held[j]: max-heap of (-rank, mentee) of the mentees mentor j tentatively holds
    held: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    free = deque(range(n))
    proposals = 0
    while free:
        i = free.popleft()
        lst = mentee_lists[i]
        while next_choice[i] < len(lst):
            j = lst[next_choice[i]]
            next_choice[i] += 1
            rank = mentor_rank[j].get(i)
            if rank is None or cap[j] == 0:
                continue  # unacceptable to the mentor: not a proposal that can succeed
            proposals += 1
            if len(held[j]) < cap[j]:
                heapq.heappush(held[j], (-rank, i))
                mentor[i] = j
                break
            worst_rank, worst = -held[j][0][0], held[j][0][1]
            if rank < worst_rank:
                heapq.heapreplace(held[j], (-rank, i))
                mentor[i] = j
                mentor[worst] = -1
                free.append(worst)
                break
    return StableResult(mentor=mentor, n_matched=int((mentor >= 0).sum()), proposals=proposals)


def blocking_pairs(
    assignment: npt.ArrayLike,
    mentee_prefs: Preferences,
    mentor_prefs: Preferences,
    capacity: npt.ArrayLike,
) -> list[tuple[int, int]]:
    """Every (mentee, mentor) pair that would rather be together than keep the assignment.

    assignment: (n_mentees,) int, each mentee's mentor or -1 (for example `StableResult.mentor`).
    A mutually acceptable pair (i, j), with i not assigned to j, blocks when i is unmatched or
    prefers j to their mentor, and j has a free place or prefers i to one of its mentees.
    Returns the pairs sorted; an empty list means the assignment is stable.
    Raises ValueError when the assignment itself is infeasible (a mentor over capacity, or a
    pair that is not mutually acceptable), since stability is not defined then.
    """
    mentee_lists, mentor_rank, cap = _validate(mentee_prefs, mentor_prefs, capacity)
    n, m = len(mentee_lists), len(mentor_rank)
    mentor = np.asarray(assignment, dtype=np.int64)
    if mentor.shape != (n,):
        raise ValueError(f"assignment must have shape ({n},), got {mentor.shape}")
    if np.any((mentor < -1) | (mentor >= m)):
        raise ValueError("assignment holds a mentor index out of range")
    load = np.bincount(mentor[mentor >= 0], minlength=m)
    over = np.flatnonzero(load > cap)
    if over.size:
        raise ValueError(f"mentor {int(over[0])} has more mentees than their capacity")
    # worst held rank per mentor (-1 when empty: nobody to displace)
    worst = np.full(m, -1, dtype=np.int64)
    for i, j in enumerate(mentor):
        if j < 0:
            continue
        if j not in mentee_lists[i] or i not in mentor_rank[j]:
            raise ValueError(f"mentee {i} and mentor {int(j)} are not mutually acceptable")
        worst[j] = max(worst[j], mentor_rank[j][i])
    found = []
    for i, lst in enumerate(mentee_lists):
        current = int(mentor[i])
        for j in lst:
            if j == current:
                break  # the rest are worse than the current mentor
            rank = mentor_rank[j].get(i)
            if rank is None or cap[j] == 0:
                continue
            if load[j] < cap[j] or rank < worst[j]:
                found.append((i, j))
    return sorted(found)


def preferences_from_scores(
    scores: npt.ArrayLike, allowed: npt.ArrayLike | None = None
) -> tuple[list[list[int]], list[list[int]]]:
    """Preference lists ranking by score, for `stable_match` and `blocking_pairs`.

    scores: (n_mentees, n_mentors) float; higher is better for both sides.
    allowed: optional (n_mentees, n_mentors) bool mask; forbidden pairs appear on neither list.
    Returns (mentee_prefs, mentor_prefs): each mentee's allowed mentors by decreasing score and
    each mentor's allowed mentees by decreasing score; ties go to the lower index.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"scores must be 2-D (n_mentees, n_mentors), got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    ok = np.ones(s.shape, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if ok.shape != s.shape:
        raise ValueError(f"allowed must have shape {s.shape}, got {ok.shape}")
    by_mentee = np.argsort(-s, axis=1, kind="stable")
    by_mentor = np.argsort(-s.T, axis=1, kind="stable")
    mentee_prefs = [row[ok[i, row]].tolist() for i, row in enumerate(by_mentee)]
    mentor_prefs = [col[ok[col, j]].tolist() for j, col in enumerate(by_mentor)]
    return mentee_prefs, mentor_prefs
