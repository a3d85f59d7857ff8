"""The named metrics a key result can be measured by, computed from the records that exist, and
a key result's progress towards its target.

A metric without records to measure (no pairs, no ratings, no imported outcomes) answers "no
data yet" with the reason; it never guesses a number. Definitions are in docs/programs.md.
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

MIN_RATERS = 5  # the smallest group reported on, as reports.figures.MIN_GROUP_SIZE


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
    return match_rate_result(program, counts["matched"], counts["active"])


def match_rate_result(program: Program, matched: int, active: int) -> MetricResult:
    """The metric from counts of matched and active seekers (the dashboard has them)."""
    noun = "peers" if program.format == "peer" else "mentees"
    return _rate(
        Metric.MATCH_RATE,
        matched,
        active,
        f"{matched} of {active} active {noun} are matched",
        f"No active {noun} yet: the rate is measured once people register.",
    )


def retention_rate(program: Program) -> MetricResult:
    """Share of the people who registered (any status but declined) still here: active in the
    directory, with no exit among the imported HR outcomes since the program began."""
    from django.db.models import Exists, OuterRef

    from trellis.reports.models import Outcome  # reports builds on programs, not the reverse

    left = Outcome.objects.filter(
        person=OuterRef("person"), kind="exit", occurred_on__gte=progress_start(program)
    )
    counts = (
        Participant.objects.filter(program=program)
        .exclude(status=ParticipantStatus.DECLINED)
        .aggregate(
            registered=Count("person_id", distinct=True),
            staying=Count(
                "person_id", filter=Q(person__is_active=True) & ~Exists(left), distinct=True
            ),
        )
    )
    return _rate(
        Metric.RETENTION_RATE,
        counts["staying"],
        counts["registered"],
        f"{counts['staying']} of the {counts['registered']} people who took part are still here",
        "No one has taken part yet.",
    )


def meetings_per_pair_per_month(program: Program) -> MetricResult:
    """Meetings held per pair per month over the months the dashboard charts (a pair live for
    part of a month counts for that part); see trellis.reports.figures."""
    from trellis.reports import figures  # reports builds on programs, not the reverse

    now = timezone.now()
    months = figures.dashboard_months(program, timezone.localdate(now))
    return meetings_result(figures.meeting_figures(program, months, now))


def meetings_result(meetings: dict) -> MetricResult:
    """The metric from the dashboard's meeting figures (reports.figures.meeting_figures)."""
    unit = METRIC_UNITS[Metric.MEETINGS_PER_PAIR_PER_MONTH]
    value = meetings["per_pair_per_month"]
    if value is None:
        return MetricResult(
            Metric.MEETINGS_PER_PAIR_PER_MONTH,
            None,
            unit,
            reason="No pair has been published yet, so there are no meetings to count.",
        )
    return MetricResult(
        Metric.MEETINGS_PER_PAIR_PER_MONTH,
        value,
        unit,
        explanation=f"{sum(meetings['held_by_month'])} meetings held by "
        f"{round(sum(meetings['pairs_live']), 1)} pair-months (cadence: "
        f"{meetings['expected']} a month)",
    )


def average_meeting_rating(program: Program) -> MetricResult:
    """The mean rating given by people taking part (active registrations), hidden when fewer
    than five people gave them (it would be someone's own ratings)."""
    from django.db.models import Avg

    from trellis.mentorships.models import MeetingFeedback

    row = MeetingFeedback.objects.filter(
        participant__program=program, participant__status__in=ACTIVE_PARTICIPANT_STATUSES
    ).aggregate(n=Count("pk"), average=Avg("rating"), raters=Count("participant", distinct=True))
    shown = row["raters"] >= MIN_RATERS
    average = round(float(row["average"]), 2) if row["n"] and shown else None
    return rating_result(row["n"], average, row["raters"])


def rating_result(count: int, average: float | None, raters: int) -> MetricResult:
    unit = METRIC_UNITS[Metric.AVERAGE_MEETING_RATING]
    if not count:
        return MetricResult(
            Metric.AVERAGE_MEETING_RATING, None, unit, reason="No meeting has been rated yet."
        )
    if raters < MIN_RATERS:
        return MetricResult(
            Metric.AVERAGE_MEETING_RATING,
            None,
            unit,
            reason=f"Fewer than {MIN_RATERS} people have rated meetings: the average is "
            "hidden, since it would be their own ratings.",
        )
    return MetricResult(
        Metric.AVERAGE_MEETING_RATING,
        average,
        unit,
        explanation=f"the average of {count} ratings",
    )


def goal_completion(program: Program) -> MetricResult:
    from trellis.mentorships.models import Goal

    row = Goal.objects.filter(mentorship__program=program).aggregate(
        total=Count("pk"), achieved=Count("pk", filter=Q(status="achieved"))
    )
    return goal_result(row["achieved"], row["total"])


def goal_result(achieved: int, total: int) -> MetricResult:
    """The metric from counts of goals achieved and set (the dashboard has them)."""
    return _rate(
        Metric.GOAL_COMPLETION,
        achieved,
        total,
        f"{achieved} of the {total} goals set are achieved",
        "No mentee has set a goal yet.",
    )


def promotion_rate(program: Program) -> MetricResult:
    """Share of the people in a published pair promoted since the program started (from the
    imported HR outcomes)."""
    from trellis.mentorships.models import Mentorship
    from trellis.reports.figures import PUBLISHED
    from trellis.reports.models import Outcome

    unit = METRIC_UNITS[Metric.PROMOTION_RATE]
    if not Outcome.objects.exists():
        return MetricResult(
            Metric.PROMOTION_RATE,
            None,
            unit,
            reason="No HR outcomes have been imported yet: an admin imports them on the "
            "Outcomes page.",
        )
    pairs = list(
        Mentorship.objects.filter(program=program, status__in=PUBLISHED)
        .order_by()
        .values_list("mentor__person_id", "mentee__person_id", "started_on")
    )
    people = {person for mentor, mentee, _ in pairs for person in (mentor, mentee)}
    start = program.starts_on or min((started for *_, started in pairs), default=None)
    promoted = 0
    if start is not None and people:
        promoted = len(
            people
            & set(
                Outcome.objects.filter(kind="promotion", occurred_on__gte=start).values_list(
                    "person_id", flat=True
                )
            )
        )
    if 0 < len(people) < MIN_RATERS:
        return MetricResult(
            Metric.PROMOTION_RATE,
            None,
            unit,
            reason=f"Fewer than {MIN_RATERS} people are in a pair: too few to report on.",
        )
    return _rate(
        Metric.PROMOTION_RATE,
        promoted,
        len(people),
        f"{promoted} of the {len(people)} people in a pair were promoted since the start",
        "No pair has been published yet.",
    )


_MEASURED = {
    Metric.PARTICIPATION: participation,
    Metric.MATCH_RATE: match_rate,
    Metric.RETENTION_RATE: retention_rate,
    Metric.MEETINGS_PER_PAIR_PER_MONTH: meetings_per_pair_per_month,
    Metric.AVERAGE_MEETING_RATING: average_meeting_rating,
    Metric.GOAL_COMPLETION: goal_completion,
    Metric.PROMOTION_RATE: promotion_rate,
}


def measure(program: Program, metric: str) -> MetricResult:
    """The metric's current value for the program, or a result saying plainly there is none."""
    return _MEASURED[Metric(metric)](program)


def measure_all(
    program: Program,
    metrics: Iterable[str],
    known: dict[str, MetricResult] | None = None,
) -> dict[str, MetricResult]:
    """Each distinct metric measured once; `known` ones (already measured) are reused."""
    known = known or {}
    return {
        metric: known.get(metric) or measure(program, metric)
        for metric in dict.fromkeys(metrics)
        if metric
    }


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
    if key_result.target <= 0:  # nothing to divide by: reached, or not, as it stands
        state = ProgressState.ACHIEVED if current >= key_result.target else ProgressState.BEHIND
        return KeyResultProgress(key_result, current, state, explanation=explanation)
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
