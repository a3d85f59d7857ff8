"""Every figure of a program's dashboard, and the organisation overview, read from the records
with a fixed number of aggregate queries (the count does not grow with the data).

Definitions (docs/reports.md says the same in words):

- A *registration* is a participant row (any status); *active* registrations are applied,
  approved, waitlisted or matched.
- A *published pair* is a mentorship that went live: active, completed or ended early (not a
  hybrid proposal still waiting, not one declined at confirmation).
- A *meeting held* has taken place by now: not cancelled, start time past.
- *Meetings per pair per month*: meetings held in a month over the pairs live that month,
  where a pair live for part of the month counts for that part (pair-days ÷ days in the month,
  up to today for the current month).
- *Goal completion*: goals achieved over goals set (a dropped goal is set, not achieved).
- *Rematch rate*: published pairs where someone asked for a new match over published pairs.
- Breakdowns (department, location, level) pool every group of fewer than MIN_GROUP_SIZE people
  into "Other groups"; when that pool is itself smaller, the next-smallest group joins it, so
  no figure ever describes fewer than MIN_GROUP_SIZE people, and none can be recovered by
  subtracting the shown groups from the total.
"""

from __future__ import annotations

import calendar
import datetime
import statistics
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, connections
from django.db.models import Avg, Case, Count, IntegerField, Min, Q, Sum, Value, When
from django.utils import timezone, translation

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.mentorships.meetings import CADENCE_DAYS, pairs_at_risk, taken_place
from trellis.mentorships.models import (
    Goal,
    GoalStatus,
    Meeting,
    MeetingFeedback,
    Mentorship,
    MentorshipStatus,
    RematchRequest,
    SurveyResponse,
    SurveyStatus,
)
from trellis.programs.models import Format, Program, Role
from trellis.programs.services import ACTIVE_PARTICIPANT_STATUSES

MIN_GROUP_SIZE = 5
PUBLISHED = (MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED, MentorshipStatus.ENDED)
MONTHS_SHOWN = 12
AVERAGE_MONTH_DAYS = 365.25 / 12


def share(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator as a percentage with one decimal, None for an empty base."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


def _month(day: datetime.date | datetime.datetime) -> datetime.date:
    return datetime.date(day.year, day.month, 1)


def _next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], _month(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _as_month(value) -> datetime.date:
    """TruncMonth gives a datetime on PostgreSQL and SQLite alike; keep the month only."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return _month(value)


def _edge(day: datetime.date) -> datetime.datetime:
    """Midnight starting the day, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def month_index(field_name: str, months: list[datetime.date]):
    """The position of a datetime field's month among `months` (-1 before the first, and
    len(months) after the last), computed by the database as nested CASEs over the month
    edges: a binary search, four comparisons a row for a year (SQLite's TruncMonth calls
    Python once per row)."""
    edges = [_edge(month) for month in months] + [_edge(_next_month(months[-1]))]

    def between(low: int, high: int):
        # Rows here are at or after edges[low] and before edges[high]: months low .. high-1.
        if high - low == 1:
            return Value(low)
        middle = (low + high) // 2
        return Case(
            When(**{f"{field_name}__lt": edges[middle]}, then=between(low, middle)),
            default=between(middle, high),
            output_field=IntegerField(),
        )

    return Case(
        When(**{f"{field_name}__lt": edges[0]}, then=Value(-1)),
        When(**{f"{field_name}__gte": edges[-1]}, then=Value(len(months))),
        default=between(0, len(months)),
        output_field=IntegerField(),
    )


# ------------------------------------------------------------------------------ data shapes


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart's data; the page draws it with Chart.js and shows the same numbers as a table."""

    key: str
    kind: str  # line, bar
    labels: list[str]
    series: list[Series]
    unit: str = ""
    target: float | None = None  # a horizontal target line (meetings per pair against cadence)
    y_range: tuple[float, float] | None = None  # fixed axis, e.g. ratings from 1 to 4

    def config(self) -> dict:
        datasets: list[dict] = [
            {"label": s.label, "data": s.values, "spanGaps": True} for s in self.series
        ]
        if self.target is not None:
            datasets.append(
                {
                    "label": "Cadence target",
                    "data": [self.target] * len(self.labels),
                    "type": "line",
                    "borderDash": [6, 4],
                    "pointRadius": 0,
                }
            )
        config = {"type": self.kind, "labels": self.labels, "datasets": datasets, "unit": self.unit}
        if self.y_range is not None:
            config["yMin"], config["yMax"] = self.y_range
        return config


@dataclass(frozen=True)
class Table:
    """A table as shown, exported to CSV and XLSX as is."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    note: str = ""


@dataclass(frozen=True)
class Breakdown:
    dimension: str  # department, location, level
    rows: list[dict]  # label, people, mentors, mentees, matched, match_rate, ratings, rating
    pooled_groups: int  # groups folded into "Other groups"
    total: dict


@dataclass
class Dashboard:
    program: Program
    today: datetime.date
    registrations: dict  # by role and status
    ratio: dict
    match: dict
    pairs: dict
    meetings: dict
    ratings: dict
    goals: dict
    at_risk: dict
    rematch: dict
    surveys: list[dict]
    breakdowns: dict[str, Breakdown]
    charts: dict[str, Chart] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


# ----------------------------------------------------------------------------- the figures


def seeker_role(program: Program) -> str:
    return Role.PEER if program.format == Format.PEER else Role.MENTEE


def registrations_by_month(program: Program, months: list[datetime.date]) -> dict:
    """Registrations per month and role (all statuses), and the running totals."""
    rows = (
        Participant.objects.filter(program=program)
        .annotate(month=month_index("applied_at", months))
        .values("month", "role")
        .annotate(n=Count("pk"))
    )
    per: dict[str, Counter] = defaultdict(Counter)
    before: Counter = Counter()
    for row in rows:
        if row["month"] < 0:
            before[row["role"]] += row["n"]
        else:
            per[row["role"]][row["month"]] += row["n"]
    out = {}
    for role in sorted(per.keys() | before.keys()):
        running, cumulative = before[role], []
        for i in range(len(months)):
            running += per[role][i]
            cumulative.append(running)
        out[role] = {"new": [per[role][i] for i in range(len(months))], "cumulative": cumulative}
    return out


def registration_counts(program: Program) -> dict:
    """Registrations by role and status ({role: {status: n}}), and the places active mentors
    offer (their own capacity, or the program's default)."""
    counts: dict[str, dict] = defaultdict(dict)
    for row in (
        Participant.objects.filter(program=program).values("role", "status").annotate(n=Count("pk"))
    ):
        counts[row["role"]][row["status"]] = row["n"]
    places = Participant.objects.filter(
        program=program, role=Role.MENTOR, status__in=ACTIVE_PARTICIPANT_STATUSES
    ).aggregate(
        chosen=Sum("capacity"),
        default=Count("pk", filter=Q(capacity__isnull=True)),
    )
    mentor_places = (places["chosen"] or 0) + places["default"] * program.mentor_capacity
    return {"by_role": dict(counts), "mentor_places": mentor_places}


def _active(counter: dict) -> int:
    return sum(n for status, n in counter.items() if status in ACTIVE_PARTICIPANT_STATUSES)


def ratio_figures(program: Program, counts: dict) -> dict:
    by_role = counts["by_role"]
    mentors = _active(by_role.get(Role.MENTOR, {}))
    seeker = seeker_role(program)
    seekers = _active(by_role.get(seeker, {}))
    waitlist = {role: c.get(ParticipantStatus.WAITLISTED, 0) for role, c in by_role.items()}
    return {
        "mentors": mentors,
        "mentees": seekers,
        "mentor_places": counts["mentor_places"],
        "mentees_per_mentor": round(seekers / mentors, 2) if mentors else None,
        "places_per_mentee": round(counts["mentor_places"] / seekers, 2) if seekers else None,
        "waitlisted": sum(waitlist.values()),
        "waitlist_by_role": waitlist,
        "has_mentors": program.has_mentor_role,
    }


def match_figures(program: Program, counts: dict) -> dict:
    """Match rate (matched over active seekers) and time to match: days from registering to
    the first published pair, over the seekers who have one."""
    seeker = seeker_role(program)
    statuses = counts["by_role"].get(seeker, {})
    active = _active(statuses)
    matched = statuses.get(ParticipantStatus.MATCHED, 0)
    published = Mentorship.objects.filter(program=program, status__in=PUBLISHED)
    sides = ["mentee", "mentor"] if seeker == Role.PEER else ["mentee"]  # peers pair both ways
    first_pair: dict[int, tuple] = {}
    for side in sides:
        for pk, applied, first in (
            published.values(f"{side}_id", f"{side}__applied_at")
            .annotate(first=Min("started_on"))
            .values_list(f"{side}_id", f"{side}__applied_at", "first")
        ):
            if pk not in first_pair or first < first_pair[pk][1]:
                first_pair[pk] = (applied, first)
    zone = timezone.get_current_timezone()
    days = sorted(
        max(0, (first - applied.astimezone(zone).date()).days)
        for applied, first in first_pair.values()
    )
    return {
        "active": active,
        "matched": matched,
        "rate": share(matched, active),
        "time_to_match_median": statistics.median(days) if days else None,
        "time_to_match_mean": round(statistics.fmean(days), 1) if days else None,
        "time_to_match_count": len(days),
    }


def pair_counts(program: Program) -> dict:
    counts = dict(
        Mentorship.objects.filter(program=program)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "by_status": counts,
        "active": counts.get(MentorshipStatus.ACTIVE, 0),
        "published": sum(counts.get(s, 0) for s in PUBLISHED),
        "proposed": counts.get(MentorshipStatus.PROPOSED, 0),
    }


def expected_meetings_per_month(program: Program) -> float:
    return round(AVERAGE_MONTH_DAYS / CADENCE_DAYS.get(program.meeting_cadence, 14), 1)


def meeting_figures(program: Program, months: list[datetime.date], now: datetime.datetime):
    """Meetings held per month and per pair per month against the cadence."""
    today = timezone.localdate(now)
    held_rows = dict(
        Meeting.objects.filter(
            taken_place(now),
            mentorship__program=program,
            mentorship__status__in=PUBLISHED,
        )
        .annotate(month=month_index("starts_at", months))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    held = {month: held_rows.get(i, 0) for i, month in enumerate(months)}
    spans = list(
        Mentorship.objects.filter(program=program, status__in=PUBLISHED)
        .order_by()
        .values_list("started_on", "ended_on")
    )
    # Meetings before the months shown count in the total but not in the series.
    starts = np.array([started.toordinal() for started, _ in spans], dtype=np.int64)
    ends = np.array(
        [(ended or today).toordinal() for _, ended in spans], dtype=np.int64
    )  # inclusive
    per_pair, pairs_live, total_pair_months = [], [], 0.0
    for month in months:
        last = min(_next_month(month) - datetime.timedelta(days=1), today)
        days_in_month = calendar.monthrange(month.year, month.month)[1]
        first_day, last_day = month.toordinal(), last.toordinal()
        overlap = np.minimum(ends, last_day) - np.maximum(starts, first_day) + 1
        pair_days = int(overlap[overlap > 0].sum()) if len(spans) else 0
        live = pair_days / days_in_month
        pairs_live.append(round(live, 2))
        total_pair_months += live
        per_pair.append(round(held.get(month, 0) / live, 2) if live else None)
    in_window = sum(held.get(month, 0) for month in months)
    return {
        "held_total": sum(held_rows.values()),
        "held_by_month": [held.get(m, 0) for m in months],
        "pairs_live": pairs_live,
        "per_pair_by_month": per_pair,
        "per_pair_per_month": round(in_window / total_pair_months, 2)
        if total_pair_months
        else None,
        "expected": expected_meetings_per_month(program),
        "cadence": program.get_meeting_cadence_display(),
    }


def active_registrations(program: Program) -> list[tuple]:
    """The program's active registrations: (pk, person id, role, status, department, location,
    level), the rows of the breakdowns and the raters the rating figures count."""
    return list(
        Participant.objects.filter(program=program, status__in=ACTIVE_PARTICIPANT_STATUSES)
        .order_by()
        .values_list(
            "pk",
            "person_id",
            "role",
            "status",
            *(path for path, _ in DIMENSIONS.values()),
        )
    )


def _ratings_of_active(program: Program):
    """Meeting ratings given by people taking part (active registrations). A rating's
    participant belongs to the meeting's program, so no join through the meeting is needed (at
    60,000 ratings that join is most of the time)."""
    return MeetingFeedback.objects.filter(
        participant__program=program, participant__status__in=ACTIVE_PARTICIPANT_STATUSES
    ).order_by()


def ratings_given(program: Program) -> dict[int, tuple[int, int]]:
    """{registration pk: (ratings given, their sum)} over the active registrations that rated."""
    return {
        pk: (n, total)
        for pk, n, total in _ratings_of_active(program)
        .values("participant")
        .annotate(n=Count("pk"), total=Sum("rating"))
        .values_list("participant", "n", "total")
    }


def rating_figures(
    program: Program, months: list[datetime.date], given: dict[int, tuple[int, int]] | None = None
) -> dict:
    """Ratings given by people taking part (active registrations, as in the breakdowns), by
    value and by the month they were given; `given` is `ratings_given(program)`. Averages and
    the spread of fewer than MIN_GROUP_SIZE raters are hidden: they would be a person's own
    ratings.

    A month's raters are counted only where it matters: a month with more ratings than the
    four most prolific raters gave in all has at least five raters (exactly, no estimate);
    the other months' raters are counted by one more query over those months only."""
    if given is None:
        given = ratings_given(program)
    counts: Counter = Counter()
    by_month: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # month -> [n, sum]
    for row in (
        _ratings_of_active(program)
        .annotate(month=month_index("created_at", months))
        .values("month")
        .annotate(**{f"r{value}": Count("pk", filter=Q(rating=value)) for value in (1, 2, 3, 4)})
    ):
        for value in (1, 2, 3, 4):
            n = row[f"r{value}"]
            counts[value] += n
            by_month[row["month"]][0] += n
            by_month[row["month"]][1] += n * value
    per = [by_month.get(i, [0, 0]) for i in range(len(months))]
    most_prolific = sum(sorted((n for n, _ in given.values()), reverse=True)[: MIN_GROUP_SIZE - 1])
    unsure = [i for i, (n, _) in enumerate(per) if 0 < n <= most_prolific]
    raters_by_month = {i: MIN_GROUP_SIZE for i, (n, _) in enumerate(per) if n > most_prolific}
    if unsure:
        edges = [_edge(month) for month in months] + [_edge(_next_month(months[-1]))]
        within = Q()
        for i in unsure:
            within |= Q(created_at__gte=edges[i], created_at__lt=edges[i + 1])
        for row in (
            _ratings_of_active(program)
            .filter(within)
            .annotate(month=month_index("created_at", months))
            .values("month")
            .annotate(raters=Count("participant", distinct=True))
        ):
            raters_by_month[row["month"]] = row["raters"]
    raters = len(given)
    count = sum(counts.values())
    total = sum(rating * n for rating, n in counts.items())
    shown = raters >= MIN_GROUP_SIZE
    return {
        "count": count,
        "raters": raters,
        "hidden": bool(count) and not shown,
        "average": round(total / count, 2) if count and shown else None,
        "distribution": [counts.get(r, 0) if shown else None for r in (1, 2, 3, 4)],
        "by_month": [
            round(rated / n, 2) if n and raters_by_month.get(i, 0) >= MIN_GROUP_SIZE else None
            for i, (n, rated) in enumerate(per)
        ],
        "count_by_month": [n for n, _ in per],
    }


def goal_figures(program: Program) -> dict:
    row = Goal.objects.filter(mentorship__program=program).aggregate(
        total=Count("pk"),
        achieved=Count("pk", filter=Q(status=GoalStatus.ACHIEVED)),
        active=Count("pk", filter=Q(status=GoalStatus.ACTIVE)),
        dropped=Count("pk", filter=Q(status=GoalStatus.DROPPED)),
        progress=Avg("progress", filter=Q(status=GoalStatus.ACTIVE)),
        pairs=Count("mentorship", distinct=True),
    )
    return {
        **row,
        "progress": round(float(row["progress"])) if row["progress"] is not None else None,
        "completion": share(row["achieved"], row["total"]),
    }


def at_risk_figures(program: Program, now: datetime.datetime) -> dict:
    """Active pairs at risk (the Pairs page's rules), and how many for each reason."""
    risk = pairs_at_risk(program, now=now)
    reasons = {
        "Not meeting": len(risk.not_meeting),
        "Low meeting ratings": len(risk.low_ratings),
        "Poor fit after the first meeting": len(risk.unfit),
        "Asked for a new match": len(risk.asking),
    }
    at_risk = len(risk.flagged)
    return {
        "count": at_risk,
        "active": risk.running,
        "rate": share(at_risk, risk.running),
        "reasons": dict(sorted(((k, v) for k, v in reasons.items() if v), key=lambda kv: -kv[1])),
    }


def rematch_figures(program: Program) -> dict:
    published = Mentorship.objects.filter(program=program, status__in=PUBLISHED)
    row = published.aggregate(
        pairs=Count("pk"),
        asked=Count("pk", filter=Q(rematch_requests__isnull=False), distinct=True),
    )
    open_requests = RematchRequest.objects.filter(
        mentorship__program=program, status="open"
    ).count()
    return {**row, "rate": share(row["asked"], row["pairs"]), "open": open_requests}


ANSWER_KINDS = ("scale", "yes_no", "single_choice", "multiple_choice")


def survey_figures(program: Program) -> list[dict]:
    """Answered surveys, per survey kind and question: a scale's mean and spread, a yes/no's
    share of yes, a choice's counts. Each question is read as the people answering it saw it
    (the copy stored with their answers); a question whose kind changed between copies, or
    that asked for words, has its answers counted, never shown. A question with fewer than
    MIN_GROUP_SIZE answers shows nothing but that."""
    definitions = {s.get("kind"): s for s in program.surveys or []}
    answered = SurveyResponse.objects.filter(
        mentorship__program=program, status=SurveyStatus.ANSWERED
    ).order_by()
    asked: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for kind, questions in answered.values_list("kind", "questions").distinct():
        for question in questions or []:
            if isinstance(question, dict) and question.get("key"):
                asked[kind][question["key"]].append(question)
    results: dict[str, dict[str, list]] = {}
    responses: Counter = Counter()
    # Identical answer sets are common (a few scale points, yes or no): the database counts
    # them, so each distinct set is decoded once.
    for kind, answers, n in (
        answered.values("kind", "answers")
        .annotate(n=Count("pk"))
        .values_list("kind", "answers", "n")
    ):
        responses[kind] += n
        per_question = results.setdefault(kind, {})
        for key, value in (answers or {}).items():
            per_question.setdefault(key, []).extend([value] * n)
    out = []
    for kind, per_question in results.items():
        survey = definitions.get(kind, {})
        current = {q.get("key"): q for q in survey.get("questions", [])}
        order = [k for k in current if k in per_question] + sorted(
            k for k in per_question if k not in current
        )
        questions = [
            _question_result(_as_asked(key, asked[kind].get(key, []), current.get(key)), values)
            for key in order
            for values in [per_question[key]]
        ]
        out.append(
            {
                "kind": kind,
                "title": survey.get("title") or kind.replace("_", " ").capitalize(),
                "responses": responses[kind],
                "questions": questions,
            }
        )
    order = {kind: i for i, kind in enumerate(definitions)}
    out.sort(key=lambda s: (order.get(s["kind"], len(order)), s["kind"]))
    return out


def _as_asked(key: str, copies: list[dict], current: dict | None) -> dict:
    """One question as its answerers saw it: the stored copies merged (a scale's widest range,
    every choice offered), labelled as the program words it now. Copies of different kinds,
    or none at all, make it a question whose answers are only counted."""
    label = (current or (copies[-1] if copies else {})).get("label") or key
    kinds = {copy.get("kind") for copy in copies}
    if len(kinds) != 1 or next(iter(kinds)) not in ANSWER_KINDS:
        return {"key": key, "kind": "text", "label": label}
    kind = kinds.pop()
    merged: dict = {"key": key, "kind": kind, "label": label}
    if kind == "scale":
        scales = [copy.get("scale") or {"min": 1, "max": 5} for copy in copies]
        merged["scale"] = {
            "min": min(int(sc.get("min", 1)) for sc in scales),
            "max": max(int(sc.get("max", 5)) for sc in scales),
        }
    elif kind in ("single_choice", "multiple_choice"):
        merged["choices"] = list(
            dict.fromkeys(c for copy in copies for c in copy.get("choices", []))
        )
    return merged


def _question_result(question: dict, values: list) -> dict:
    kind = question.get("kind", "text")
    base = {"key": question.get("key"), "label": question.get("label"), "kind": kind}
    if kind not in ANSWER_KINDS:
        written = sum(1 for v in values if v not in (None, "", []))
        return {**base, "kind": "text", "answers": written, "suppressed": False}
    if kind == "scale":
        scale = question.get("scale", {})
        low, high = int(scale.get("min", 1)), int(scale.get("max", 5))
        numbers = [
            v
            for v in values
            if isinstance(v, int | float) and not isinstance(v, bool) and low <= v <= high
        ]
        counts = Counter(int(v) for v in numbers)
        result = {
            **base,
            "answers": len(numbers),
            "mean": round(statistics.fmean(numbers), 2) if numbers else None,
            "scale": [low, high],
            "distribution": [(point, counts.get(point, 0)) for point in range(low, high + 1)],
        }
    elif kind == "yes_no":
        flags = [v for v in values if isinstance(v, bool)]
        yes = sum(flags)
        result = {**base, "answers": len(flags), "yes": yes, "yes_share": share(yes, len(flags))}
    else:
        choices = list(question.get("choices", []))
        counts = Counter()
        answers = other = 0
        for value in values:
            chosen = value if isinstance(value, list) else [value]
            chosen = [str(c) for c in chosen if c not in (None, "")]
            if chosen:
                answers += 1
            for choice in chosen:
                if choice in choices:
                    counts[choice] += 1
                else:
                    other += 1  # not a choice offered: never shown, it may be someone's words
        distribution = [(choice, counts.get(choice, 0)) for choice in choices]
        if other:
            distribution.append(("Other (not shown)", other))
        result = {**base, "answers": answers, "distribution": distribution}
    result["suppressed"] = result["answers"] < MIN_GROUP_SIZE
    return result


# ------------------------------------------------------------------------------ breakdowns

DIMENSIONS = {
    "department": ("person__department__name", "Department"),
    "location": ("person__location__name", "Location"),
    "level": ("person__level", "Level"),
}


def _group_label(dimension: str, value) -> str:
    if value is None or value == "":
        return "Not recorded"
    return f"Level {value}" if dimension == "level" else str(value)


def breakdowns(
    program: Program,
    rows: list[tuple] | None = None,
    given: dict[int, tuple[int, int]] | None = None,
) -> dict[str, Breakdown]:
    """Registrations, matching and meeting ratings per department, location and level, small
    groups pooled. `rows` are `active_registrations(program)` and `given` is
    `ratings_given(program)` (read here when not passed)."""
    seeker = seeker_role(program)
    if rows is None:
        rows = active_registrations(program)
    if given is None:
        given = ratings_given(program)
    if not rows:
        return {dimension: pool_small_groups(dimension, {}) for dimension in DIMENSIONS}
    _, person_ids, roles, statuses, *keys_by_dimension = zip(*rows, strict=True)
    person = np.array(person_ids, dtype=np.int64)
    is_mentor = np.array([role == Role.MENTOR for role in roles])
    is_seeker = np.array([role == seeker for role in roles])
    is_matched = is_seeker & np.array([status == ParticipantStatus.MATCHED for status in statuses])
    given_by_row = [given.get(row[0], (0, 0)) for row in rows]
    ratings = np.array([n for n, _ in given_by_row], dtype=np.int64)
    rating_sums = np.array([total or 0 for _, total in given_by_row], dtype=np.int64)
    out = {}
    for dimension, keys in zip(DIMENSIONS, keys_by_dimension, strict=True):
        index: dict[object, int] = {}
        codes = np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)
        size = len(index)

        def tally(values, codes=codes, size=size):
            return np.bincount(codes, weights=values, minlength=size).astype(np.int64)

        # Distinct people per group: one per distinct (group, person) pair.
        pairs = np.unique(codes * (int(person.max()) + 1) + person)
        people = np.bincount(pairs // (int(person.max()) + 1), minlength=size)
        columns = {
            "people": people,
            "mentors": tally(is_mentor),
            "mentees": tally(is_seeker),
            "matched": tally(is_matched),
            "ratings": tally(ratings),
            "rating_sum": tally(rating_sums),
            "raters": tally(ratings > 0),
        }
        groups = {
            key: {name: int(column[code]) for name, column in columns.items()}
            for key, code in index.items()
        }
        out[dimension] = pool_small_groups(dimension, groups)
    return out


def pool_small_groups(dimension: str, groups: dict[object, dict]) -> Breakdown:
    """Rows for the groups of at least MIN_GROUP_SIZE people, the others pooled (see the
    module's docstring), largest first; the total covers everyone."""
    keys = ("people", "mentors", "mentees", "matched", "ratings", "rating_sum", "raters")

    def summed(members) -> dict:
        return {k: sum(groups[m][k] for m in members) for k in keys}

    shown = sorted(
        (g for g in groups if groups[g]["people"] >= MIN_GROUP_SIZE),
        key=lambda g: (-groups[g]["people"], _group_label(dimension, g)),
    )
    pooled = [g for g in groups if groups[g]["people"] < MIN_GROUP_SIZE]
    while pooled and summed(pooled)["people"] < MIN_GROUP_SIZE and shown:
        pooled.append(shown.pop())  # the smallest shown group joins the pool
    rows = [_breakdown_row(_group_label(dimension, g), groups[g]) for g in shown]
    if pooled:
        pool = summed(pooled)
        if pool["people"] >= MIN_GROUP_SIZE:
            label = f"Other groups ({len(pooled)}, each under {MIN_GROUP_SIZE} people)"
            if any(groups[g]["people"] >= MIN_GROUP_SIZE for g in pooled):
                label = f"Other groups ({len(pooled)}, pooled to protect small groups)"
            rows.append(_breakdown_row(label, pool, pooled=True))
        else:  # fewer than MIN_GROUP_SIZE people in the whole program: show nothing by group
            rows.append(
                {"label": f"Hidden: fewer than {MIN_GROUP_SIZE} people", "suppressed": True}
            )
    total = _breakdown_row("All", summed(list(groups)))
    if total["people"] < MIN_GROUP_SIZE:
        total = {"label": "All", "suppressed": True}
    _hide_few_raters([r for r in rows if not r["suppressed"]], total)
    return Breakdown(dimension, rows, len(pooled), total)


def _hide_few_raters(rows: list[dict], total: dict) -> None:
    """Ratings of a row that fewer than MIN_GROUP_SIZE people gave are hidden; while the
    hidden rows together have fewer raters than that, the row with the fewest raters shown
    joins them, so total minus the rows shown never gives one person's ratings."""
    hidden = [r for r in rows if r["raters"] < MIN_GROUP_SIZE]
    shown = sorted((r for r in rows if r["raters"] >= MIN_GROUP_SIZE), key=lambda r: r["raters"])
    while hidden and sum(r["raters"] for r in hidden) < MIN_GROUP_SIZE and shown:
        hidden.append(shown.pop(0))
    if not total.get("suppressed") and total["raters"] < MIN_GROUP_SIZE:
        hidden.append(total)
    for row in hidden:
        row.update(ratings=None, rating=None, ratings_hidden=True)


def _breakdown_row(label: str, group: dict, *, pooled: bool = False) -> dict:
    return {
        "label": label,
        "people": group["people"],
        "mentors": group["mentors"],
        "mentees": group["mentees"],
        "matched": group["matched"],
        "match_rate": share(group["matched"], group["mentees"]),
        "ratings": group["ratings"],
        "rating": round(group["rating_sum"] / group["ratings"], 2) if group["ratings"] else None,
        "raters": group["raters"],
        "ratings_hidden": False,
        "pooled": pooled,
        "suppressed": False,
    }


# ---------------------------------------------------------------------------- the dashboard


def dashboard_months(program: Program, today: datetime.date) -> list[datetime.date]:
    """The months charted: from the program's first registration or creation (at most
    MONTHS_SHOWN months back) to this month."""
    first = Participant.objects.filter(program=program).aggregate(first=Min("applied_at"))["first"]
    days = [timezone.localdate(first)] if first else []
    if program.created_at:
        days.append(timezone.localdate(program.created_at))
    if program.starts_on:
        days.append(program.starts_on)
    start = min([*days, today])
    earliest = _month(today)
    for _ in range(MONTHS_SHOWN - 1):
        earliest = _month(earliest - datetime.timedelta(days=1))
    return month_range(max(_month(start), earliest), today)


# Databases whose connections read at once (SQLite: readers beside readers, in WAL mode).
CONCURRENT_READS = {"postgresql", "sqlite"}


def program_dashboard(
    program: Program, *, now: datetime.datetime | None = None, concurrent: bool | None = None
) -> Dashboard:
    """Every figure of the program's dashboard, with its charts and tables.

    The figures about ratings, groups and surveys are read on a second database connection
    while this one reads the rest, outside a transaction (a second connection would not see
    what a transaction has not committed).
    Outside a transaction each query already reads the data as it is when it starts, so this
    changes no figure; it cuts a third of the time on a large program. `concurrent` forces
    either way (None: decide)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    months = dashboard_months(program, today)

    def about_people() -> dict:
        rows, given = active_registrations(program), ratings_given(program)
        return {
            "ratings": rating_figures(program, months, given),
            "breakdowns": breakdowns(program, rows, given),
            "surveys": survey_figures(program),
        }

    if concurrent is None:
        concurrent = not connection.in_atomic_block and connection.vendor in CONCURRENT_READS
    with ThreadPoolExecutor(max_workers=1) if concurrent else nullcontext() as pool:
        pending = (
            pool.submit(
                _on_own_connection,
                about_people,
                timezone.get_current_timezone(),
                translation.get_language(),
            )
            if pool
            else None
        )
        counts = registration_counts(program)
        figures = {
            "registrations": {
                "by_role": counts["by_role"],
                "by_month": registrations_by_month(program, months),
                "total": sum(sum(c.values()) for c in counts["by_role"].values()),
            },
            "ratio": ratio_figures(program, counts),
            "match": match_figures(program, counts),
            "pairs": pair_counts(program),
            "meetings": meeting_figures(program, months, now),
            "goals": goal_figures(program),
            "at_risk": at_risk_figures(program, now),
            "rematch": rematch_figures(program),
        }
        figures.update(pending.result() if pending else about_people())
    dashboard = Dashboard(program=program, today=today, **figures)
    _add_charts_and_tables(dashboard, months)
    return dashboard


def _on_own_connection(task, zone, language):
    """Run `task` on this worker thread's own database connection (closed after), in the
    caller's time zone and language (Django keeps both per thread)."""
    try:
        with timezone.override(zone), translation.override(language):
            return task()
    finally:
        connections.close_all()


ROLE_LABELS = {Role.MENTOR: "Mentors", Role.MENTEE: "Mentees", Role.PEER: "Peers"}


def _month_label(month: datetime.date) -> str:
    return month.strftime("%b %Y")


def _add_charts_and_tables(d: Dashboard, months: list[datetime.date]) -> None:
    labels = [_month_label(m) for m in months]
    program = d.program
    if program.format == Format.CIRCLE:
        role_labels = {Role.MENTOR: "Circle leaders", Role.MENTEE: "Circle members"}
    else:
        role_labels = ROLE_LABELS
    by_month = d.registrations["by_month"]
    d.charts["registrations"] = Chart(
        "registrations",
        "line",
        labels,
        [Series(role_labels.get(r, r), v["cumulative"]) for r, v in by_month.items()],
        unit="registrations",
    )
    d.tables["registrations"] = Table(
        "registrations",
        "Registrations by month",
        ["Month"]
        + [f"{role_labels.get(r, r)}: new" for r in by_month]
        + [f"{role_labels.get(r, r)}: total" for r in by_month],
        [
            [_month_label(m)]
            + [by_month[r]["new"][i] for r in by_month]
            + [by_month[r]["cumulative"][i] for r in by_month]
            for i, m in enumerate(months)
        ],
    )
    statuses = [s for s in ParticipantStatus]
    d.tables["enrolment"] = Table(
        "enrolment",
        "Registrations by role and status",
        ["Role"] + [s.label for s in statuses] + ["All"],
        [
            [role_labels.get(role, role)]
            + [c.get(s.value, 0) for s in statuses]
            + [sum(c.values())]
            for role, c in sorted(d.registrations["by_role"].items())
        ],
    )
    m = d.meetings
    d.charts["meetings"] = Chart(
        "meetings",
        "bar",
        labels,
        [Series("Meetings per pair", m["per_pair_by_month"])],
        unit="meetings per pair",
        target=m["expected"],
    )
    d.tables["meetings"] = Table(
        "meetings",
        "Meetings by month",
        ["Month", "Meetings held", "Pairs live (pair-months)", "Meetings per pair", "Cadence"],
        [
            [
                _month_label(month),
                m["held_by_month"][i],
                m["pairs_live"][i],
                m["per_pair_by_month"][i],
                m["expected"],
            ]
            for i, month in enumerate(months)
        ],
    )
    r = d.ratings
    d.charts["rating_distribution"] = Chart(
        "rating_distribution",
        "bar",
        ["1 (poor)", "2", "3", "4 (excellent)"],
        [Series("Ratings", r["distribution"])],
        unit="ratings",
    )
    d.charts["rating_trend"] = Chart(
        "rating_trend",
        "line",
        labels,
        [Series("Average rating", r["by_month"])],
        unit="out of 4",
        y_range=(1, 4),
    )
    d.tables["ratings"] = Table(
        "ratings",
        "Meeting ratings by month",
        ["Month", "Ratings", "Average (out of 4)"],
        [[_month_label(m), r["count_by_month"][i], r["by_month"][i]] for i, m in enumerate(months)],
    )
    survey_rows = []
    for survey in d.surveys:
        for q in survey["questions"]:
            survey_rows.append([survey["title"], q["label"], q["answers"], _summary_of(q)])
    d.tables["surveys"] = Table(
        "surveys",
        "Survey results",
        ["Survey", "Question", "Answers", "Result"],
        survey_rows,
        note="Written answers are counted, not shown.",
    )
    g = d.goals
    d.tables["goals"] = Table(
        "goals",
        "Goals",
        ["Goals set", "Achieved", "In progress", "Dropped", "Completion (%)", "Pairs with goals"],
        [[g["total"], g["achieved"], g["active"], g["dropped"], g["completion"], g["pairs"]]],
    )
    for dimension, b in d.breakdowns.items():
        title = DIMENSIONS[dimension][1]
        rows = [_breakdown_cells(row) for row in [*b.rows, b.total]]
        d.tables[f"by_{dimension}"] = Table(
            f"by_{dimension}",
            f"By {title.lower()}",
            [
                title,
                "People",
                "Mentors",
                "Mentees",
                "Matched mentees",
                "Match rate (%)",
                "Ratings",
                "Average rating",
            ],
            rows,
            note=f"Groups of fewer than {MIN_GROUP_SIZE} people are pooled or hidden.",
        )


def _breakdown_cells(row: dict) -> list:
    if row.get("suppressed"):
        return [row["label"]] + [""] * 7
    return [
        row["label"],
        row["people"],
        row["mentors"],
        row["mentees"],
        row["matched"],
        row["match_rate"],
        row["ratings"],
        row["rating"],
    ]


def _summary_of(question: dict) -> str:
    if question.get("suppressed"):
        return f"hidden: fewer than {MIN_GROUP_SIZE} answers"
    if question["kind"] == "scale":
        if question["mean"] is None:
            return ""
        low, high = question["scale"]
        return f"{question['mean']} on {low}-{high}"
    if question["kind"] == "yes_no":
        return "" if question["yes_share"] is None else f"{question['yes_share']}% yes"
    if question["kind"] in ("single_choice", "multiple_choice"):
        return "; ".join(f"{choice}: {n}" for choice, n in question["distribution"])
    return "written answers"


# --------------------------------------------------------------------- organisation overview


def organisation_overview(programs, *, now: datetime.datetime | None = None) -> dict:
    """One row per program and the organisation's totals, in five queries whatever the number
    of programs: registrations, pairs, meetings in the last 30 days, ratings, people."""
    now = now or timezone.now()
    programs = list(programs)
    ids = [p.pk for p in programs]
    seekers = Q(role__in=[Role.MENTEE, Role.PEER], status__in=ACTIVE_PARTICIPANT_STATUSES)
    registrations = {
        row["program"]: row
        for row in Participant.objects.filter(program__in=ids)
        .values("program")
        .annotate(
            active=Count("pk", filter=Q(status__in=ACTIVE_PARTICIPANT_STATUSES)),
            seekers=Count("pk", filter=seekers),
            matched=Count("pk", filter=seekers & Q(status=ParticipantStatus.MATCHED)),
            waitlisted=Count("pk", filter=Q(status=ParticipantStatus.WAITLISTED)),
        )
    }
    pairs = {
        row["program"]: row
        for row in Mentorship.objects.filter(program__in=ids)
        .values("program")
        .annotate(
            active=Count("pk", filter=Q(status=MentorshipStatus.ACTIVE)),
            published=Count("pk", filter=Q(status__in=PUBLISHED)),
        )
    }
    since = now - datetime.timedelta(days=30)
    meetings = dict(
        Meeting.objects.filter(taken_place(now), mentorship__program__in=ids, starts_at__gt=since)
        .values("mentorship__program")
        .annotate(n=Count("pk"))
        .values_list("mentorship__program", "n")
    )
    ratings = {
        row["meeting__mentorship__program"]: row
        for row in MeetingFeedback.objects.filter(meeting__mentorship__program__in=ids)
        .values("meeting__mentorship__program")
        .annotate(n=Count("pk"), avg=Avg("rating"))
    }
    rows = []
    for program in programs:
        reg = registrations.get(program.pk, {})
        pair = pairs.get(program.pk, {})
        rating = ratings.get(program.pk)
        rows.append(
            {
                "program": program,
                "active": reg.get("active", 0),
                "waitlisted": reg.get("waitlisted", 0),
                "match_rate": share(reg.get("matched", 0), reg.get("seekers", 0)),
                "active_pairs": pair.get("active", 0),
                "published_pairs": pair.get("published", 0),
                "meetings_30_days": meetings.get(program.pk, 0),
                "ratings": rating["n"] if rating else 0,
                "rating": round(float(rating["avg"]), 2) if rating else None,
            }
        )
    people = (
        Participant.objects.filter(program__in=ids, status__in=ACTIVE_PARTICIPANT_STATUSES)
        .values("person_id")
        .distinct()
        .count()
    )
    rated = sum(r["ratings"] for r in rows)
    totals = {
        "programs": len(rows),
        "people": people,
        "active_pairs": sum(r["active_pairs"] for r in rows),
        "meetings_30_days": sum(r["meetings_30_days"] for r in rows),
        "ratings": rated,
        "rating": round(sum((r["rating"] or 0) * r["ratings"] for r in rows) / rated, 2)
        if rated
        else None,
    }
    table = Table(
        "programs",
        "Programs",
        [
            "Program",
            "Status",
            "Active registrations",
            "Waitlisted",
            "Match rate (%)",
            "Active pairs",
            "Pairs published",
            "Meetings in the last 30 days",
            "Ratings",
            "Average rating",
        ],
        [
            [
                r["program"].name,
                r["program"].get_status_display(),
                r["active"],
                r["waitlisted"],
                r["match_rate"],
                r["active_pairs"],
                r["published_pairs"],
                r["meetings_30_days"],
                r["ratings"],
                r["rating"],
            ]
            for r in rows
        ],
    )
    return {"rows": rows, "totals": totals, "table": table}


def dashboard_measurements(d: Dashboard) -> dict:
    """The key-result metrics the dashboard has already measured, for program_okrs to reuse."""
    from trellis.programs.metrics import (
        goal_result,
        match_rate_result,
        meetings_result,
        rating_result,
    )
    from trellis.programs.models import Metric

    return {
        Metric.MATCH_RATE: match_rate_result(d.program, d.match["matched"], d.match["active"]),
        Metric.GOAL_COMPLETION: goal_result(d.goals["achieved"], d.goals["total"]),
        Metric.MEETINGS_PER_PAIR_PER_MONTH: meetings_result(d.meetings),
        Metric.AVERAGE_MEETING_RATING: rating_result(
            d.ratings["count"], d.ratings["average"], d.ratings["raters"]
        ),
    }


def okr_table(okrs) -> Table:
    """The program's key results with their progress (programs.selectors.program_okrs)."""
    rows = []
    for objective in okrs.objectives:
        for progress in objective.key_results:
            kr = progress.key_result
            rows.append(
                [
                    objective.objective.title,
                    kr.title,
                    kr.get_metric_display() if kr.metric else "By hand",
                    progress.current,
                    kr.target,
                    kr.unit,
                    kr.deadline,
                    progress.percent,
                    progress.state_label,
                ]
            )
    return Table(
        "okrs",
        "OKR progress",
        [
            "Objective",
            "Key result",
            "Measured by",
            "Current",
            "Target",
            "Unit",
            "Deadline",
            "Progress (%)",
            "State",
        ],
        rows,
    )
