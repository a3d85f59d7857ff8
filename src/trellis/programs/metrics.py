"""The named metrics a key result can be measured by, computed from the records that exist, and
a key result's progress towards its target.

A metric whose records Trellis does not keep yet answers "no data yet" with the reason; it never
guesses a number. Definitions are in docs/programs.md.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.people.models import Person

from .models import KeyResult, Metric, Program, Role
from .services import ACTIVE_PARTICIPANT_STATUSES, METRIC_UNITS, okr_anchor


@dataclass(frozen=True)
class MetricResult:
    """One metric for one program. `value` is None when there is no data, and `reason` says why.

    `numerator` / `denominator` are the counts behind a rate, for the sentence on the page.
    """

    metric: str
    value: float | None
    unit: str
    explanation: str = ""
    reason: str = ""
    numerator: int | None = None
    denominator: int | None = None

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def label(self) -> str:
        return Metric(self.metric).label


def _rate(metric: str, numerator: int, denominator: int, explanation: str, empty: str):
    if denominator == 0:
        return MetricResult(metric, None, METRIC_UNITS[metric], reason=empty)
    return MetricResult(
        metric,
        round(100.0 * numerator / denominator, 1),
        METRIC_UNITS[metric],
        explanation=explanation,
        numerator=numerator,
        denominator=denominator,
    )


def people_in_scope(program: Program):
    """Active directory people in the program's eligible departments and locations (all, when
    none are chosen). Level and tenure rules are not applied: they differ by role."""
    people = Person.objects.active()
    department_ids = [d.pk for d in program.eligible_departments.all()]
    location_ids = [loc.pk for loc in program.eligible_locations.all()]
    if department_ids:
        people = people.filter(department_id__in=department_ids)
    if location_ids:
        people = people.filter(location_id__in=location_ids)
    return people


def participation(program: Program) -> MetricResult:
    """Share of the people in scope who take part: distinct active people with an active
    registration (applied, approved, waitlisted or matched), over the active people in scope."""
    scope = people_in_scope(program)
    everyone = scope.count()
    taking_part = (
        Participant.objects.filter(
            program=program, status__in=ACTIVE_PARTICIPANT_STATUSES, person__in=scope
        )
        .values("person_id")
        .distinct()
        .count()
    )
    counts = {"everyone": everyone, "taking_part": taking_part}
    return _rate(
        Metric.PARTICIPATION,
        counts["taking_part"],
        counts["everyone"],
        f"{counts['taking_part']} of the {counts['everyone']} people in scope take part",
        "There is no one in the program's scope: check its eligible departments and locations.",
    )


def match_rate(program: Program) -> MetricResult:
    """Matched mentees over active mentees (peers for peer programs, members for circles)."""
    seeker = Role.PEER if program.format == "peer" else Role.MENTEE
    counts = Participant.objects.filter(
        program=program, role=seeker, status__in=ACTIVE_PARTICIPANT_STATUSES
    ).aggregate(
        active=Count("pk"),
        matched=Count("pk", filter=Q(status=ParticipantStatus.MATCHED)),
    )
    noun = "peers" if seeker == Role.PEER else "mentees"
    return _rate(
        Metric.MATCH_RATE,
        counts["matched"],
        counts["active"],
        f"{counts['matched']} of {counts['active']} active {noun} are matched",
        f"No active {noun} yet: the rate is measured once people register.",
    )


def retention_rate(program: Program) -> MetricResult:
    """Share of the people who registered (any status but declined) still in the directory."""
    counts = (
        Participant.objects.filter(program=program)
        .exclude(status=ParticipantStatus.DECLINED)
        .aggregate(
            registered=Count("person_id", distinct=True),
            staying=Count("person_id", filter=Q(person__is_active=True), distinct=True),
        )
    )
    return _rate(
        Metric.RETENTION_RATE,
        counts["staying"],
        counts["registered"],
        f"{counts['staying']} of the {counts['registered']} people who took part are still here",
        "No one has taken part yet.",
    )


_NOT_YET_RECORDED = {
    Metric.MEETINGS_PER_PAIR_PER_MONTH: (
        "Trellis does not record mentorships and their meetings yet, so there are no meetings "
        "to count."
    ),
    Metric.AVERAGE_MEETING_RATING: (
        "Trellis does not collect meeting ratings yet, so there is no rating to average."
    ),
    Metric.GOAL_COMPLETION: (
        "Trellis does not record mentees' goals yet, so there is no completion to measure."
    ),
    Metric.PROMOTION_RATE: (
        "Trellis does not record HR outcomes (promotions) yet, so there is no rate to compute."
    ),
}

_MEASURED = {
    Metric.PARTICIPATION: participation,
    Metric.MATCH_RATE: match_rate,
    Metric.RETENTION_RATE: retention_rate,
}


def measure(program: Program, metric: str) -> MetricResult:
    """The metric's current value for the program, or a result saying plainly there is none."""
    metric = Metric(metric)
    if metric in _MEASURED:
        return _MEASURED[metric](program)
    return MetricResult(metric, None, METRIC_UNITS[metric], reason=_NOT_YET_RECORDED[metric])


def measure_all(program: Program, metrics: Iterable[str]) -> dict[str, MetricResult]:
    """Each distinct metric measured once."""
    return {metric: measure(program, metric) for metric in dict.fromkeys(metrics) if metric}


# --- Key-result progress -----------------------------------------------------------------------


class ProgressState:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    NO_DEADLINE = "no_deadline"
    NO_DATA = "no_data"


STATE_LABELS = {
    ProgressState.ACHIEVED: "Achieved",
    ProgressState.ON_TRACK: "On track",
    ProgressState.BEHIND: "Behind",
    ProgressState.MISSED: "Missed",
    ProgressState.NO_DEADLINE: "In progress",
    ProgressState.NO_DATA: "No data yet",
}


def progress_start(program: Program) -> datetime.date:
    """When work towards the key results began: the earliest of the day the program was created,
    the day enrolment opened and the start date (a key result due at the start still has the
    enrolment weeks to get there)."""
    days = [okr_anchor(program), program.enrolment_opens_on]
    if program.created_at:
        days.append(timezone.localdate(program.created_at))
    return min(day for day in days if day)


@dataclass(frozen=True)
class KeyResultProgress:
    """Where a key result stands. `ratio` is current ÷ target (not capped); `expected` is the
    share of the time from `progress_start` to the deadline that has passed."""

    key_result: KeyResult
    current: float | None
    state: str
    ratio: float | None = None
    expected: float | None = None
    reason: str = ""
    explanation: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def percent(self) -> int | None:
        """Progress for a meter, 0 to 100."""
        if self.ratio is None:
            return None
        return max(0, min(100, round(self.ratio * 100)))


def key_result_progress(
    key_result: KeyResult,
    *,
    program: Program,
    measurements: dict[str, MetricResult] | None = None,
    today: datetime.date | None = None,
) -> KeyResultProgress:
    """Current value against target; on track when the share of the target reached is at least
    the share of the time from `progress_start` to the deadline that has gone by.

    Every target is a level to reach (higher is better). Achieved beats every other state; a
    deadline passed without reaching the target is missed.
    """
    today = today or timezone.localdate()
    explanation = reason = ""
    if key_result.is_automatic:
        result = (measurements or {}).get(key_result.metric) or measure(program, key_result.metric)
        current, reason, explanation = result.value, result.reason, result.explanation
    else:
        current = key_result.manual_value
        if current is None:
            reason = "No value recorded yet: record one by hand."
    if current is None:
        return KeyResultProgress(key_result, None, ProgressState.NO_DATA, reason=reason)
    ratio = current / key_result.target
    common = {"ratio": ratio, "explanation": explanation}
    if current >= key_result.target:
        return KeyResultProgress(key_result, current, ProgressState.ACHIEVED, **common)
    deadline = key_result.deadline
    if deadline is None:
        return KeyResultProgress(key_result, current, ProgressState.NO_DEADLINE, **common)
    if today > deadline:
        return KeyResultProgress(key_result, current, ProgressState.MISSED, expected=1.0, **common)
    start = progress_start(program)
    if today <= start or deadline <= start:
        expected = 0.0 if today <= start else 1.0
    else:
        expected = (today - start).days / (deadline - start).days
    state = ProgressState.ON_TRACK if ratio >= expected else ProgressState.BEHIND
    return KeyResultProgress(key_result, current, state, expected=expected, **common)
