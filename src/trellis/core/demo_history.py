"""Reporting history for the demo: a career-mentoring pilot that has run for most of a year
(registrations, pairs, meetings, ratings, goals, surveys, rematch requests) and fourteen months
of HR outcomes for the whole directory, so the reports dashboard and the outcome comparison
have something to say.

History cannot be replayed through the services (they stamp today's date and send emails), so
the rows are written directly, in bulk, with their dates in the past. All randomness comes from
one `Random(seed)`; dates are counted back from the day the demo is seeded.
"""

from __future__ import annotations

import datetime
import math
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import User
from trellis.core.demo import _FAMILIES, DEMO_CREDENTIALS
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.mentorships.models import (
    Goal,
    GoalStatus,
    GoalUpdate,
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    Mentorship,
    MentorshipStatus,
    Milestone,
    RematchRequest,
    RematchStatus,
    SurveyResponse,
    SurveyStatus,
)
from trellis.people.models import Person, Skill, is_in_reporting_line
from trellis.programs.models import (
    Criterion,
    Program,
    ProgramTemplate,
    QuestionKind,
    Role,
    Status,
)
from trellis.programs.services import change_program_status, create_program_from_template
from trellis.reports.models import Outcome, OutcomeKind, ReportSettings

PILOT_NAME = "Career mentoring 2026 (pilot cohort)"
STARTED_DAYS_AGO = 318  # about ten and a half months
ENROLMENT_DAYS = 35
RUNS_WEEKS = 52  # a year-long pilot; each pair is planned for the template's six months
PAIR_DAYS = 182
OUTCOME_DAYS = 426  # fourteen months of HR outcomes
SURVEY_DAYS_OPEN = 14

# Yearly rates in the directory: promotions by level, exits by tenure. People in a published
# pair of the pilot are promoted more often and leave less often from their pair's start, so
# the comparison shows a moderate effect with intervals that still overlap.
PROMOTION_PER_YEAR = {1: 0.17, 2: 0.16, 3: 0.13, 4: 0.11, 5: 0.08, 6: 0.06, 7: 0.05, 8: 0.04}
EXIT_PER_YEAR_BY_TENURE = ((1, 0.17), (3, 0.14), (5, 0.11))
EXIT_PER_YEAR_LONG_TENURE = 0.09
ROLE_CHANGE_PER_YEAR = 0.04
PROMOTION_FACTOR = {Role.MENTEE: 2.0, Role.MENTOR: 1.5}
EXIT_FACTOR = {Role.MENTEE: 0.6, Role.MENTOR: 0.7}

_REGISTRATION_TEXTS = [
    "I want to get ready for a senior role and understand what is expected beyond my team.",
    "Looking for help with moving from individual contributor to leading a small team.",
    "I'd like to get better at presenting my work to leadership and handling pushback.",
    "Happy to share how I changed career path and what I would do differently.",
    "I enjoy helping people prepare for promotions and difficult conversations.",
    "I can help with stakeholder management, prioritisation and saying no gracefully.",
]
_WITHDRAWALS = [
    "My workload changed and I can't give it the time right now.",
    "Moving to a new team; I'll join the next cohort instead.",
    "Going on leave for a few months.",
]
_REMATCH_REASONS = [
    "We struggle to find times that work across our time zones.",
    "My mentor's experience is far from what I hoped to work on.",
    "I don't think I'm the right mentor for what they want to learn.",
    "Our conversations stay very general; I'd like someone closer to my field.",
]
_EARLY_ENDINGS = [
    "The mentee moved to a new role with little time left for mentoring.",
    "Parental leave: the pair agreed to stop and pick up again later.",
    "The mentor took on a large project and could not keep the meetings going.",
]
_MEETING_NOTES = [
    "Talked through the promotion criteria and where the gaps are.",
    "Went over a difficult stakeholder conversation and how to prepare for the next one.",
    "Mapped the people worth meeting in other departments; two introductions to make.",
    "Reviewed the presentation for the quarterly review; tightened the story.",
    "Discussed delegation and what to stop doing.",
    "Career path options: management track or staying technical.",
]
_AGENDAS = [
    "Follow up on the stakeholder map",
    "Prepare for the performance review",
    "Feedback on the draft proposal",
    "Next steps on the goal we set",
]
_RATING_COMMENTS = [
    "Really useful, concrete next steps.",
    "Good conversation, a bit rushed.",
    "Helped me see the problem differently.",
    "We went off topic but it was still valuable.",
]
_GOAL_TITLES = [
    "Prepare for a promotion",
    "Grow my visibility and influence",
    "Build confidence presenting to leadership",
    "Move into people management",
    "Build deeper expertise in my field",
    "Negotiation",
    "Giving and receiving feedback",
]
_MILESTONES = [
    "Agree what good looks like",
    "Try it once and reflect",
    "Get feedback from my manager",
    "Review together",
]
_END_COMMENTS = [
    "More structure in the first month would help.",
    "A mid-point event to meet other pairs.",
    "Nothing: it was great.",
    "Clearer guidance on how often to meet.",
]


@dataclass(eq=False)
class _Seat:
    """One registration while it is planned."""

    person: Person
    role: str
    applied_on: datetime.date
    capacity: int | None = None
    load: int = 0
    pairs: list[_Pair] = field(default_factory=list)
    wants_from: datetime.date | None = None  # mentees: the day a match would start
    withdrawn_on: datetime.date | None = None
    withdrawal_reason: str = ""
    exit_on: datetime.date | None = None
    row: Participant | None = None


@dataclass(eq=False)
class _Pair:
    mentee: _Seat
    mentor: _Seat
    proposed_on: datetime.date
    started_on: datetime.date
    habit: str  # regular, loose, fading, silent
    quality: str  # good, middling, poor
    interval: float  # days between meetings
    status: str = MentorshipStatus.ACTIVE
    ended_on: datetime.date | None = None
    end_reason: str = ""
    stops_on: datetime.date | None = None  # a fading pair's last meeting
    rematch: tuple | None = None  # (requested by, asked on, status, resolved on, reason)
    row: Mentorship | None = None
    meetings: list[Meeting] = field(default_factory=list)


def seed_reporting_history(seed: int = 2026, *, today: datetime.date | None = None) -> Program:
    """Create the pilot program with its history, the directory's outcomes and the pilot's
    report settings, once; a second call returns the pilot."""
    existing = Program.objects.filter(name=PILOT_NAME).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return _Pilot(Random(seed), today or timezone.localdate()).seed()


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def _workday(day: datetime.date) -> datetime.date:
    """The nearest weekday: a Saturday moves back to Friday, a Sunday on to Monday."""
    return day + datetime.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


def _chance(rate_per_year: float, days: int) -> float:
    return 1 - math.exp(-rate_per_year * max(days, 0) / 365.25)


def _exit_rate(hire_date: datetime.date | None, today: datetime.date) -> float:
    years = (today - hire_date).days / 365.25 if hire_date else 5
    for limit, rate in EXIT_PER_YEAR_BY_TENURE:
        if years < limit:
            return rate
    return EXIT_PER_YEAR_LONG_TENURE


def _weighted_sample(rng: Random, items: list, weight, count: int) -> list:
    """`count` items without replacement, each with probability growing with its weight."""
    keyed = [(rng.random() ** (1 / w), i) for i, item in enumerate(items) if (w := weight(item))]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:count]]


def _create_backdated(model, objects: list, field_name: str, values: list) -> None:
    """bulk_create, then give each row its date in the past (`auto_now_add` stamps now)."""
    model.objects.bulk_create(objects, batch_size=1000)
    for obj, value in zip(objects, values, strict=True):
        setattr(obj, field_name, value)
    model.objects.bulk_update(objects, [field_name], batch_size=500)


def _promoted_title(title: str, level: int | None) -> str:
    """The demo's job-family title one level up, or "" when the title follows no family (the
    directory's own title ladders, so a promotion reads like the titles people already have)."""
    if level is None:
        return ""
    for family in _FAMILIES.values():
        low, high = family.levels
        if low <= level < high and family.title_at(level) == title:
            return family.title_at(level + 1)
    return ""


class _Pilot:
    def __init__(self, rng: Random, today: datetime.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.starts = today - datetime.timedelta(days=STARTED_DAYS_AGO)
        self.opens = self.starts - datetime.timedelta(days=ENROLMENT_DAYS)
        self.closes = self.starts - datetime.timedelta(days=3)
        self.ends = self.starts + datetime.timedelta(weeks=RUNS_WEEKS)
        self.middle = self.starts + (self.ends - self.starts) / 2
        self.manager = User.objects.get(email=DEMO_CREDENTIALS.program_manager_email)
        self.mentors: list[_Seat] = []
        self.mentees: list[_Seat] = []
        self.pairs: list[_Pair] = []
        self.proposals: list[_Pair] = []

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def seed(self) -> Program:
        program = self.program = create_program_from_template(
            ProgramTemplate.objects.get(key="career-mentoring"),
            name=PILOT_NAME,
            created_by=self.manager,
            enrolment_opens_on=self.opens,
            enrolment_closes_on=self.closes,
            starts_on=self.starts,
            ends_on=self.ends,
        )
        Program.objects.filter(pk=program.pk).update(
            created_at=_moment(self.opens - datetime.timedelta(days=12), 10)
        )
        change_program_status(program, Status.ENROLLING, by=self.manager, today=self.opens)
        leaders = self._leaders()
        self._choose_people()
        self._match()
        self._fates()
        outcomes = self._outcomes(leaders)
        self._open_requests()
        self._write_participants()
        change_program_status(program, Status.MATCHING, by=self.manager, today=self.closes)
        change_program_status(program, Status.ACTIVE, by=self.manager, today=self.starts)
        self._write_pairs()
        self._write_meetings()
        self._write_surveys()
        self._write_goals()
        Outcome.objects.bulk_create(outcomes, batch_size=1000)
        self._deactivate_leavers(outcomes)
        settings, _ = ReportSettings.objects.update_or_create(
            program=program,
            defaults={
                "currency": "EUR",
                "average_salary": Decimal(65000),
                "replacement_cost_share": Decimal("0.50"),
                "program_cost": Decimal(40000),
            },
        )
        settings.leaders.set(leaders)
        program.refresh_from_db()
        return program

    # --------------------------------------------------------------------- who takes part

    def _leaders(self) -> list[Person]:
        """The summary goes to the top of the organisation and the head of People."""
        senior = list(
            Person.objects.active()
            .filter(level__gte=7)
            .select_related("department")
            .order_by("-level", "employee_id")
        )
        ranked = sorted(
            senior,
            key=lambda p: (
                p.manager_id is not None,
                "people" not in (p.department.name.lower() if p.department else ""),
                -(p.level or 0),
                p.employee_id,
            ),
        )
        return ranked[:3]

    def _choose_people(self) -> None:
        rng = self.rng
        accounts = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        people = [
            p
            for p in Person.objects.active()
            .filter(hire_date__lte=self.opens - datetime.timedelta(days=14))
            .order_by("employee_id")
            if p.pk not in accounts
        ]
        mentor_weights = {4: 1, 5: 3, 6: 4, 7: 4, 8: 2}
        mentee_weights = {1: 1.5, 2: 3, 3: 4, 4: 4, 5: 2}
        senior_enough = self.opens - datetime.timedelta(days=730)
        n_mentors = max(4, min(140, round(len(people) * 0.10)))
        n_mentees = max(6, min(190, round(len(people) * 0.145)))
        mentors = _weighted_sample(
            rng,
            [p for p in people if p.hire_date <= senior_enough],
            lambda p: mentor_weights.get(p.level, 0),
            n_mentors,
        )
        taken = {p.pk for p in mentors}
        mentees = _weighted_sample(
            rng,
            [p for p in people if p.pk not in taken],
            lambda p: mentee_weights.get(p.level, 0) if p.level else 1,
            n_mentees,
        )
        # Most registered in the enrolment window; the pilot also took late joiners for
        # months after the start (the program team added them), so registrations keep coming.
        window = (self.closes - self.opens).days
        latest = self.today - datetime.timedelta(days=2)
        for role, chosen, early_share in ((Role.MENTOR, mentors, 0.8), (Role.MENTEE, mentees, 0.6)):
            for person in chosen:
                if rng.random() < early_share:
                    day = self.opens + datetime.timedelta(
                        days=round(window * rng.betavariate(0.9, 1.3))
                    )
                else:
                    day = self.starts + datetime.timedelta(
                        days=round(rng.triangular(5, STARTED_DAYS_AGO, 40))
                    )
                seat = _Seat(person, role, min(day, latest))
                if role == Role.MENTOR:
                    seat.capacity = rng.choice([1, 2, 2])
                    self.mentors.append(seat)
                else:
                    self.mentees.append(seat)

    # --------------------------------------------------------------------------- matching

    def _match(self) -> None:
        rng = self.rng
        for seat in self.mentees:
            if seat.applied_on <= self.closes:
                if rng.random() < 0.07:  # no good mentor in the first round
                    start = self.starts + self.days(25, 70)
                else:  # hybrid: proposals go out before the start; both confirm
                    start = self.starts + datetime.timedelta(
                        days=rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 13])
                    )
            else:
                start = seat.applied_on + datetime.timedelta(
                    days=3 + min(70, int(rng.expovariate(1 / 12)))
                )
            seat.wants_from = start
            withdrawn = seat.applied_on + self.days(2, 30)
            if rng.random() < 0.05 and withdrawn < min(start, self.today):  # before a match
                seat.withdrawn_on = withdrawn
                seat.withdrawal_reason = rng.choice(_WITHDRAWALS)
        waiting = sorted(
            (s for s in self.mentees if s.withdrawn_on is None),
            key=lambda s: (s.wants_from, s.applied_on, s.person.employee_id),
        )
        for seat in waiting:
            if seat.wants_from > self.today - datetime.timedelta(days=3):
                if seat.wants_from <= self.today + datetime.timedelta(days=10):
                    self._propose(seat)
                continue
            self._pair(seat, seat.wants_from)

    def _choose_mentor(self, mentee: _Seat, day: datetime.date, exclude=()) -> _Seat | None:
        level = mentee.person.level or 3
        strict, loose = [], []
        for mentor in self.mentors:
            if mentor in exclude or mentor.load >= mentor.capacity:
                continue
            if mentor.applied_on > day - datetime.timedelta(days=2):
                continue
            if is_in_reporting_line(mentor.person.reporting_path, mentee.person.reporting_path):
                continue
            gap = (mentor.person.level or 0) - level
            weight = 3 if mentor.person.department_id != mentee.person.department_id else 1
            if 1 <= gap <= 3:
                strict.append((mentor, weight * (1.5 if gap == 2 else 1)))
            elif gap >= 1:
                loose.append((mentor, weight))
        candidates = strict or loose
        if not candidates:
            return None
        return self.rng.choices([c for c, _ in candidates], [w for _, w in candidates])[0]

    def _pair(self, mentee: _Seat, start: datetime.date, exclude=(), quality=None) -> None:
        rng = self.rng
        mentor = self._choose_mentor(mentee, start, exclude)
        if mentor is None:
            return
        habit = rng.choices(["regular", "loose", "fading", "silent"], [75, 14, 8, 3])[0]
        if quality is None:
            quality = rng.choices(["good", "middling", "poor"], [84, 11, 5])[0]
        interval = rng.uniform(18, 26) if habit == "loose" else min(17, max(11, rng.gauss(14, 1.5)))
        first_round = start <= self.starts + datetime.timedelta(days=13)
        proposed = (
            self.starts - datetime.timedelta(days=4) if first_round else start - self.days(1, 3)
        )
        pair = _Pair(
            mentee, mentor, max(proposed, mentee.applied_on), start, habit, quality, interval
        )
        mentor.load += 1
        mentee.pairs.append(pair)
        mentor.pairs.append(pair)
        self.pairs.append(pair)

    def _propose(self, mentee: _Seat) -> None:
        """A recent registration with a proposal waiting for both to confirm (hybrid)."""
        mentor = self._choose_mentor(mentee, self.today)
        if mentor is None:
            return
        proposed = max(mentee.applied_on, self.today - self.days(0, 3))
        pair = _Pair(mentee, mentor, proposed, proposed, "regular", "good", 14.0)
        pair.status = MentorshipStatus.PROPOSED
        mentor.load += 1
        self.proposals.append(pair)

    # ----------------------------------------------------------------------- what happened

    def _fates(self) -> None:
        """Rematch requests (mostly from poor matches), pairs that never met or ended early,
        and about a third of those past six months completed; the rest keep going until the
        pilot ends. A rematch appends the mentee's new pair, which this loop then reaches too."""
        rng, today = self.rng, self.today
        for pair in self.pairs:
            age = (today - pair.started_on).days
            if pair.quality == "poor" and age >= 30 and rng.random() < 0.7:
                self._rematch_request(pair, rematch_likely=True)
            elif age >= 45 and rng.random() < 0.03:
                self._rematch_request(pair, rematch_likely=False)
            asking = pair.rematch is not None and pair.rematch[2] == RematchStatus.OPEN
            if pair.status == MentorshipStatus.ACTIVE and not asking:
                self._maybe_end(pair, age)
            if pair.habit == "fading":
                life = ((pair.ended_on or today) - pair.started_on).days
                pair.stops_on = pair.started_on + datetime.timedelta(
                    days=max(20, round(life * rng.uniform(0.3, 0.7)))
                )

    def _maybe_end(self, pair: _Pair, age: int) -> None:
        rng = self.rng
        if pair.habit == "silent" and age >= 60 and rng.random() < 0.6:
            ended = pair.started_on + self.days(35, 55)
            self._end(pair, ended, "We never found a time to meet.")
        elif age >= 45 and rng.random() < 0.04:
            ended = pair.started_on + self.days(30, min(150, age - 1))
            self._end(pair, ended, rng.choice(_EARLY_ENDINGS))
        elif age >= PAIR_DAYS + 8:
            keeps_going = 0.5 if pair.habit in ("fading", "silent") else 0.7
            if rng.random() > keeps_going:
                ended = pair.started_on + datetime.timedelta(days=PAIR_DAYS) + self.days(-7, 21)
                self._end(pair, ended, "", completed=True)

    def _end(self, pair: _Pair, day: datetime.date, reason: str, *, completed=False) -> None:
        pair.status = MentorshipStatus.COMPLETED if completed else MentorshipStatus.ENDED
        pair.ended_on = min(day, self.today - datetime.timedelta(days=1))
        pair.end_reason = reason

    def _rematch_request(self, pair: _Pair, *, rematch_likely: bool) -> None:
        rng = self.rng
        asked = pair.started_on + self.days(10, 35)
        if asked >= self.today:
            return
        by = pair.mentee if rng.random() < 0.75 else pair.mentor
        reason = rng.choice(_REMATCH_REASONS)
        if asked > self.today - datetime.timedelta(days=21):
            pair.rematch = (by, asked, RematchStatus.OPEN, None, reason)
            return
        resolved = asked + self.days(2, 6)
        if rng.random() < (0.75 if rematch_likely else 0.3):
            pair.rematch = (by, asked, RematchStatus.REMATCHED, resolved, reason)
            self._end(pair, resolved, f"Rematch requested: {reason}")
            again = resolved + self.days(5, 18)
            if again <= self.today - datetime.timedelta(days=3):
                self._pair(pair.mentee, again, exclude=(pair.mentor,), quality="good")
        else:
            pair.rematch = (by, asked, RematchStatus.DISMISSED, resolved, reason)

    def _open_requests(self) -> None:
        """At least two pairs have asked for a new match and wait for the manager."""
        asking = [p for p in self.pairs if p.rematch and p.rematch[2] == RematchStatus.OPEN]
        quiet = [
            p
            for p in self.pairs
            if p.status == MentorshipStatus.ACTIVE
            and p.rematch is None
            and p.habit == "regular"
            and p.started_on <= self.today - datetime.timedelta(days=40)
        ]
        wanted = min(len(quiet), max(0, 2 - len(asking)))
        for pair in self.rng.sample(quiet, wanted):
            reason = self.rng.choice(_REMATCH_REASONS)
            pair.rematch = (
                pair.mentee,
                self.today - self.days(2, 18),
                RematchStatus.OPEN,
                None,
                reason,
            )

    # ------------------------------------------------------------------------ HR outcomes

    def _outcomes(self, leaders: list[Person]) -> list[Outcome]:
        """Promotions, role changes and exits of everyone over the last fourteen months."""
        rng, today = self.rng, self.today
        window_start = today - datetime.timedelta(days=OUTCOME_DAYS)
        seats: dict[int, list[_Seat]] = {}
        for seat in [*self.mentors, *self.mentees]:
            seats.setdefault(seat.person.pk, []).append(seat)
        stays = {p.pk for p in leaders} | set(
            User.objects.exclude(person=None).values_list("person_id", flat=True)
        )
        outcomes: list[Outcome] = []

        def uniform_day(first: datetime.date, last: datetime.date) -> datetime.date | None:
            if last < first:
                return None
            return first + datetime.timedelta(days=rng.randint(0, (last - first).days))

        for person in Person.objects.order_by("employee_id"):
            mine = seats.get(person.pk, [])
            published = [p for s in mine for p in s.pairs]
            hired = person.hire_date or window_start
            exit_on = promoted_on = None
            rate = _exit_rate(person.hire_date, today)
            if not person.is_active:
                # The directory's leavers have no exit recorded; they left in the window.
                exit_on = uniform_day(max(window_start, hired), today - datetime.timedelta(days=7))
            elif person.pk not in stays and (person.level or 0) < 9:
                if published:
                    role = mine[0].role
                    first = min(p.started_on for p in published)
                    last = max(p.started_on for p in published)
                    if rng.random() < _chance(rate * EXIT_FACTOR[role], (today - first).days):
                        exit_on = uniform_day(last + datetime.timedelta(days=14), today)
                elif mine:
                    since = min(s.applied_on for s in mine)
                    if rng.random() < _chance(rate, (today - since).days):
                        exit_on = uniform_day(since + datetime.timedelta(days=7), today)
                else:
                    since = max(window_start, hired)
                    if rng.random() < _chance(rate, (today - since).days):
                        exit_on = uniform_day(since, today)
            promotion = PROMOTION_PER_YEAR.get(person.level or 0, 0.0)
            eligible_from = max(window_start, hired + datetime.timedelta(days=180))
            boost_from = min((p.started_on for p in published), default=today)
            boost_from = max(boost_from, eligible_from)
            segments = [(eligible_from, boost_from, promotion)]
            if published:
                segments.append((boost_from, today, promotion * PROMOTION_FACTOR[mine[0].role]))
            for first, last, rate_per_year in segments:
                if rng.random() < _chance(rate_per_year, (last - first).days):
                    promoted_on = uniform_day(first, last - datetime.timedelta(days=1))
                    if promoted_on and rng.random() < 0.5:  # effective on the 1st of a month
                        promoted_on = max(promoted_on.replace(day=1), first)
                    break
            if promoted_on and (exit_on is None or promoted_on < exit_on):
                outcomes.append(
                    Outcome(
                        person=person,
                        kind=OutcomeKind.PROMOTION,
                        occurred_on=promoted_on,
                        new_title=_promoted_title(person.title, person.level),
                        new_level=person.level + 1 if person.level else None,
                    )
                )
            if person.is_active and rng.random() < _chance(ROLE_CHANGE_PER_YEAR, OUTCOME_DAYS):
                changed_on = uniform_day(max(window_start, hired), today)
                if changed_on and (exit_on is None or changed_on < exit_on):
                    outcomes.append(
                        Outcome(
                            person=person,
                            kind=OutcomeKind.ROLE_CHANGE,
                            occurred_on=changed_on,
                            new_title=person.title,
                            note="Moved to another team at the same level.",
                        )
                    )
            if exit_on:
                outcomes.append(
                    Outcome(
                        person=person,
                        kind=OutcomeKind.EXIT,
                        occurred_on=exit_on,
                        note=rng.choice(["Resigned", "Resigned", "Resigned", "Contract ended"]),
                    )
                )
                for seat in mine:
                    self._leaves(seat, exit_on)
        return outcomes

    def _leaves(self, seat: _Seat, day: datetime.date) -> None:
        """Someone in the pilot left the organisation: registration withdrawn, pair ended."""
        seat.exit_on = day
        if seat.withdrawn_on is None or seat.withdrawn_on > day:
            seat.withdrawn_on = day
            seat.withdrawal_reason = "Left Northwind Labs."
        for pair in seat.pairs:
            if pair.started_on < day and (pair.ended_on is None or pair.ended_on > day):
                who = "The mentee" if seat.role == Role.MENTEE else "The mentor"
                pair.status = MentorshipStatus.ENDED
                pair.ended_on = day
                pair.end_reason = f"{who} left Northwind Labs."
                if pair.rematch and pair.rematch[2] == RematchStatus.OPEN:
                    by, asked, _, _, reason = pair.rematch
                    pair.rematch = (by, asked, RematchStatus.DISMISSED, day, reason)
        self.proposals = [p for p in self.proposals if seat not in (p.mentee, p.mentor)]

    def _deactivate_leavers(self, outcomes: list[Outcome]) -> None:
        """Leavers who take part in no other demo program, have no account and manage no one
        leave the directory too. The other leavers stay active: the other demo programs were
        seeded on today's directory, and deactivating their registrants would leave
        registrations of people who are gone (or change those programs' counts). The
        comparison reads exits from the outcomes, not from `is_active`, so its figures are the
        same either way."""
        leavers = {o.person_id for o in outcomes if o.kind == OutcomeKind.EXIT}
        elsewhere = set(
            Participant.objects.exclude(program=self.program).values_list("person_id", flat=True)
        )
        accounts = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        managers = set(Person.objects.exclude(manager=None).values_list("manager_id", flat=True))
        Person.objects.filter(pk__in=leavers - elsewhere - accounts - managers).update(
            is_active=False
        )

    # -------------------------------------------------------------------------- the rows

    def _answers(self, seat: _Seat, questions: list, skill_ids: list[int], own: dict) -> dict:
        rng = self.rng
        answers = {}
        for question in questions:
            if question.role not in ("", seat.role):
                continue
            if not question.is_required and rng.random() < 0.6:
                continue
            kind = question.kind
            if kind == QuestionKind.SINGLE_CHOICE:
                value = rng.choice(question.choices)
            elif kind == QuestionKind.MULTIPLE_CHOICE:
                most = min(question.max_selections or 3, len(question.choices))
                value = rng.sample(question.choices, rng.randint(1, most))
            elif kind == QuestionKind.SKILLS:
                pool = own.get(seat.person.pk) or skill_ids
                if question.criterion != Criterion.SKILLS_OFFERED:
                    pool = skill_ids
                most = min(question.max_selections or 4, len(pool), 4)
                value = rng.sample(pool, max(1, most))
            elif kind == QuestionKind.SCALE:
                value = rng.randint(question.scale_min, question.scale_max)
            elif kind == QuestionKind.YES_NO:
                value = rng.random() < 0.5
            else:
                value = rng.choice(_REGISTRATION_TEXTS)
            answers[str(question.pk)] = value
        return answers

    def _write_participants(self) -> None:
        rng = self.rng
        questions = list(self.program.questions.all())
        skill_ids = sorted(Skill.objects.values_list("pk", flat=True))
        own: dict[int, list[int]] = {}
        for person_id, skill_id in (
            Person.skills.through.objects.filter(person_id__in=[s.person.pk for s in self.mentors])
            .order_by("person_id", "skill_id")
            .values_list("person_id", "skill_id")
        ):
            own.setdefault(person_id, []).append(skill_id)
        proposed = {p.mentee for p in self.proposals}
        seats = sorted(
            [*self.mentors, *self.mentees], key=lambda s: (s.applied_on, s.person.employee_id)
        )
        applied = []
        for seat in seats:
            applied.append(_moment(seat.applied_on, rng.randint(8, 18), rng.randint(0, 59)))
            if seat.withdrawn_on:
                status = ParticipantStatus.WITHDRAWN
            elif any(p.status == MentorshipStatus.ACTIVE for p in seat.pairs):
                status = ParticipantStatus.MATCHED
            elif seat.role == Role.MENTEE and not seat.pairs and seat not in proposed:
                status = ParticipantStatus.WAITLISTED  # no mentor place that fits, yet
            else:
                status = ParticipantStatus.APPROVED  # between pairs, or a proposal to confirm
            seat.row = Participant(
                program=self.program,
                person=seat.person,
                role=seat.role,
                status=status,
                capacity=seat.capacity,
                answers=self._answers(seat, questions, skill_ids, own),
                consented_at=applied[-1],
                withdrawn_at=min(_moment(seat.withdrawn_on, 12), self.now)
                if seat.withdrawn_on
                else None,
                withdrawal_reason=seat.withdrawal_reason,
            )
        _create_backdated(Participant, [s.row for s in seats], "applied_at", applied)

    def _contributions(self, pair: _Pair) -> tuple[float, dict, str]:
        """A published match's score, each criterion's part and the sentence, as a run has."""
        rng = self.rng
        weights = self.program.matching_weights or {"skills": 1}
        total = sum(weights.values())
        parts = {name: round(w / total * rng.uniform(0.35, 1.0), 3) for name, w in weights.items()}
        gap = (pair.mentor.person.level or 0) - (pair.mentee.person.level or 0)
        reasons = [f"{gap} level{'s' if gap != 1 else ''} more senior"]
        department = pair.mentor.person.department
        if department and department.pk != pair.mentee.person.department_id:
            reasons.append(f"from {department.name}, a fresh perspective")
        reasons.append(
            rng.choice(["shares most of the skills asked for", "has helped with the same goals"])
        )
        sentence = "; ".join(reasons) + "."
        return round(sum(parts.values()), 3), parts, sentence[0].upper() + sentence[1:]

    def _write_pairs(self) -> None:
        rng = self.rng
        rows, created = [], []
        for pair in [*self.pairs, *self.proposals]:
            score, parts, reasons = self._contributions(pair)
            confirmed = _moment(pair.started_on, rng.randint(9, 17))
            running = pair.status != MentorshipStatus.PROPOSED
            pair.row = Mentorship(
                program=self.program,
                mentor=pair.mentor.row,
                mentee=pair.mentee.row,
                status=pair.status,
                score=score,
                reasons=reasons,
                contributions=parts,
                started_on=pair.started_on,
                mentor_confirmed_at=confirmed if running or rng.random() < 0.5 else None,
                mentee_confirmed_at=confirmed if running else None,
                ended_on=pair.ended_on,
                end_reason=pair.end_reason,
                ended_by=self.manager if pair.ended_on else None,
            )
            rows.append(pair.row)
            created.append(_moment(pair.proposed_on, 9))
        _create_backdated(Mentorship, rows, "created_at", created)
        requests, asked_at = [], []
        for pair in self.pairs:
            if not pair.rematch:
                continue
            by, asked, status, resolved, reason = pair.rematch
            dismissed = status == RematchStatus.DISMISSED
            requests.append(
                RematchRequest(
                    mentorship=pair.row,
                    requested_by=by.row,
                    reason=reason,
                    status=status,
                    resolved_at=_moment(resolved, 15) if resolved else None,
                    resolved_by=self.manager if resolved else None,
                    resolution_note="Talked it through with both; they want to give it another go."
                    if dismissed and pair.status == MentorshipStatus.ACTIVE
                    else "",
                )
            )
            asked_at.append(_moment(asked, rng.randint(8, 18)))
        _create_backdated(RematchRequest, requests, "created_at", asked_at)

    def _meeting_time(self, day: datetime.date) -> datetime.datetime:
        return _moment(day, self.rng.choice([9, 10, 11, 13, 14, 15, 16]))

    def _uid(self) -> str:
        return f"{uuid.UUID(int=self.rng.getrandbits(128), version=4)}@trellis"

    def _rating(self, pair: _Pair, when: datetime.datetime) -> int:
        month = (when.year - self.starts.year) * 12 + when.month - self.starts.month
        if pair.quality == "poor":
            weights = [0.30, 0.46, 0.19, 0.05]
        elif pair.quality == "middling":
            weights = [0.06, 0.30, 0.46, 0.18]
        else:  # pairs settle in and the program team learns: ratings improve month by month
            weights = [0.03, max(0.03, 0.13 - 0.009 * month), 0.47 - 0.012 * month]
            weights.append(0.37 + 0.03 * month)
        return self.rng.choices([1, 2, 3, 4], weights)[0]

    def _write_meetings(self) -> None:
        """Meetings at about the cadence, a few cancelled and rebooked, the next one booked
        for most running pairs; both sides rate most of them."""
        rng, now = self.rng, self.now
        meetings, created = [], []
        for pair in self.pairs:
            if pair.habit == "silent":
                continue
            last = min(pair.ended_on or self.today, pair.stops_on or self.today)
            day = pair.started_on + self.days(2, 10)
            people = (pair.mentee.person, pair.mentor.person)
            while _workday(day) <= last:
                starts_at = self._meeting_time(_workday(day))
                minutes = rng.choice([30, 45, 60, 60])
                if starts_at + datetime.timedelta(minutes=minutes) > now:
                    break
                cancelled = rng.random() < 0.06
                notes = "" if cancelled or rng.random() < 0.4 else rng.choice(_MEETING_NOTES)
                meeting = Meeting(
                    mentorship=pair.row,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
                    shared_notes=notes,
                    uid=self._uid(),
                    sequence=1 if cancelled else 0,
                    organizer=rng.choice(people),
                )
                meetings.append(meeting)
                created.append(starts_at - self.days(3, 10) if cancelled else meeting.ends_at)
                pair.meetings.append(meeting)
                if cancelled:
                    day += self.days(2, 6)
                    continue
                gap = pair.interval * rng.uniform(0.75, 1.3)
                if day.month in (8, 12) and rng.random() < 0.4:  # holidays
                    gap += 7
                day += datetime.timedelta(days=max(5, round(gap)))
            keeps_meeting = pair.habit in ("regular", "loose")
            if pair.status == MentorshipStatus.ACTIVE and keeps_meeting and rng.random() < 0.75:
                ahead = max(day, self.today + datetime.timedelta(days=1))
                starts_at = self._meeting_time(_workday(min(ahead, self.today + self.days(1, 12))))
                if starts_at > now:
                    place = ["https://meet.northwind.example/career", "Room 3.12", "Café"]
                    meetings.append(
                        Meeting(
                            mentorship=pair.row,
                            starts_at=starts_at,
                            duration_minutes=rng.choice([45, 60]),
                            place=rng.choice(place),
                            agenda=rng.choice(_AGENDAS),
                            status=MeetingStatus.SCHEDULED,
                            uid=self._uid(),
                            organizer=rng.choice(people),
                        )
                    )
                    created.append(now - self.days(1, 6))
        _create_backdated(Meeting, meetings, "created_at", created)
        ratings, rated_at = [], []
        for pair in self.pairs:
            for meeting in pair.meetings:
                if meeting.status != MeetingStatus.HELD:
                    continue
                recent = now - meeting.starts_at < datetime.timedelta(days=4)
                for side in (pair.mentee, pair.mentor):
                    if side.exit_on and side.exit_on <= meeting.starts_at.date():
                        continue
                    if rng.random() > (0.55 if recent else 0.85):
                        continue
                    ratings.append(
                        MeetingFeedback(
                            meeting=meeting,
                            mentorship_id=meeting.mentorship_id,
                            participant=side.row,
                            rating=self._rating(pair, meeting.starts_at),
                            comment=rng.choice(_RATING_COMMENTS) if rng.random() < 0.12 else "",
                        )
                    )
                    later = meeting.ends_at + datetime.timedelta(hours=rng.randint(1, 72))
                    rated_at.append(min(later, now))
        _create_backdated(MeetingFeedback, ratings, "created_at", rated_at)

    # ------------------------------------------------------------------------------ surveys

    def _survey(self, pair: _Pair, side: _Seat, kind: str, sent, answer_share: float, answers):
        """One person's copy of a survey: answered (most), closed unanswered, or still open."""
        survey = next((s for s in self.program.surveys if s["kind"] == kind), None)
        if survey is None or sent > self.now:
            return None
        closes = sent + datetime.timedelta(days=SURVEY_DAYS_OPEN)
        response = SurveyResponse(
            mentorship=pair.row,
            participant=side.row,
            kind=kind,
            title=survey["title"],
            questions=survey["questions"],
            sent_at=sent,
            closes_at=closes,
            status=SurveyStatus.OPEN if closes > self.now else SurveyStatus.CLOSED,
        )
        answered = sent + datetime.timedelta(hours=self.rng.uniform(2, 120))
        if self.rng.random() < answer_share and answered < min(closes, self.now):
            response.status = SurveyStatus.ANSWERED
            response.answers = self._typed(survey["questions"], answers(pair))
            response.answered_at = answered
        return response

    def _typed(self, questions: list[dict], answers: dict) -> dict:
        """The answers as answering stores them (int, bool, str, list[str]), for the questions
        the survey has; a required question without a planned answer gets a plausible one."""
        out = {}
        for question in questions:
            key, kind = question["key"], question["kind"]
            value = answers.get(key)
            if value is None:
                if not question.get("required", True):
                    continue
                if kind == "scale":
                    scale = question.get("scale") or {"min": 1, "max": 5}
                    value = self.rng.randint(max(scale["min"], scale["max"] - 1), scale["max"])
                elif kind == "yes_no":
                    value = True
                elif kind in ("single_choice", "multiple_choice"):
                    value = question["choices"][0]
                else:
                    value = self.rng.choice(_END_COMMENTS)
            if kind == "multiple_choice" and not isinstance(value, list):
                value = [value]
            out[key] = value
        return out

    def _fit(self, pair: _Pair) -> dict:
        fit = self.rng.choice(
            {"good": [3, 4, 4, 4], "middling": [2, 3, 3, 3], "poor": [1, 2, 2]}[pair.quality]
        )
        return {"fit": fit, "continue": fit >= 3 or (fit == 2 and self.rng.random() < 0.6)}

    def _scale(self, pair: _Pair, good: list, middling: list, poor: list) -> int:
        return self.rng.choice({"good": good, "middling": middling, "poor": poor}[pair.quality])

    def _halfway(self, pair: _Pair) -> dict:
        regularly = "Every two weeks or more" if self.rng.random() < 0.8 else "About monthly"
        met = {
            "regular": regularly,
            "loose": "About monthly",
            "fading": "Less than monthly",
            "silent": "We have not met",
        }[pair.habit]
        return {
            "satisfaction": self._scale(pair, [3, 4, 4, 5, 5], [2, 3, 3, 4], [1, 2, 2, 3]),
            "learning": self._scale(pair, [3, 3, 4, 4, 5], [2, 3, 3], [1, 1, 2]),
            "meeting_frequency": met,
        }

    def _looking_back(self, pair: _Pair) -> dict:
        completed = pair.status == MentorshipStatus.COMPLETED
        goals = ["Fully", "Mostly", "Mostly", "Partly"] if completed else ["Partly", "Not yet"]
        answers = {
            "satisfaction": self._scale(pair, [4, 4, 5, 5], [3, 3, 4], [1, 2, 3]),
            "learning": self._scale(pair, [3, 4, 4, 5], [2, 3, 3], [1, 2, 2]),
            "relationship_quality": self._scale(pair, [4, 5, 5], [3, 3, 4], [1, 2, 2]),
            "goals_met": self.rng.choice(goals),
            "recommend": self._scale(pair, [7, 8, 9, 9, 10, 10], [6, 7, 8], [2, 4, 5, 6]),
        }
        if self.rng.random() < 0.4:
            answers["comment"] = self.rng.choice(_END_COMMENTS)
        return answers

    def _write_surveys(self) -> None:
        """First-meeting fit after the first meeting, the halfway check-in at the pilot's
        midpoint, the end-of-program survey when a pair ends; not for people who had left."""
        middle = _moment(self.middle, 9)
        responses = []
        for pair in self.pairs:
            held = [m for m in pair.meetings if m.status == MeetingStatus.HELD]
            at_middle = pair.started_on < self.middle <= self.today and (
                pair.ended_on is None or pair.ended_on >= self.middle
            )
            for side in (pair.mentee, pair.mentor):
                gone = side.exit_on
                if held:
                    sent = held[0].ends_at + datetime.timedelta(hours=2)
                    if not gone or sent.date() < gone:
                        fit = self._survey(pair, side, "first_meeting_fit", sent, 0.82, self._fit)
                        responses.append(fit)
                if at_middle and (not gone or self.middle < gone):
                    halfway = self._survey(pair, side, "midpoint", middle, 0.72, self._halfway)
                    responses.append(halfway)
                if pair.ended_on and not (gone and gone <= pair.ended_on):
                    share = 0.7 if pair.status == MentorshipStatus.COMPLETED else 0.35
                    sent = _moment(pair.ended_on, 17)
                    responses.append(
                        self._survey(pair, side, "end_of_program", sent, share, self._looking_back)
                    )
        SurveyResponse.objects.bulk_create([r for r in responses if r], batch_size=1000)

    # -------------------------------------------------------------------------------- goals

    def _goal_status(self, pair: _Pair, age: int) -> str:
        roll = self.rng.random()
        if pair.status == MentorshipStatus.COMPLETED:
            achieved, dropped = 0.68, 0.10
        elif pair.status == MentorshipStatus.ENDED:
            achieved, dropped = 0.15, 0.30
        else:  # running: the longer, the likelier it is done
            achieved = min(0.55, age / 330) * (0.5 if pair.habit == "fading" else 1)
            dropped = 0.07
        if roll < achieved:
            return GoalStatus.ACHIEVED
        return GoalStatus.DROPPED if roll < achieved + dropped else GoalStatus.ACTIVE

    def _write_goals(self) -> None:
        rng, today, now = self.rng, self.today, self.now
        goals, created, ages = [], [], []
        for pair in self.pairs:
            held = [m for m in pair.meetings if m.status == MeetingStatus.HELD]
            if not held:
                continue
            first = timezone.localdate(held[0].starts_at)
            end = pair.ended_on or today
            for title in rng.sample(_GOAL_TITLES, rng.choice([1, 1, 2, 2, 2, 3])):
                day = min(first + self.days(0, 12), end)
                age = (end - day).days
                status = self._goal_status(pair, age)
                if status == GoalStatus.ACHIEVED:
                    progress = 100
                elif status == GoalStatus.DROPPED:
                    progress = rng.choice([0, 10, 20, 30])
                else:
                    progress = int(round(min(90, max(10, age / 2.7 * rng.uniform(0.5, 1.1))), -1))
                goals.append(
                    Goal(
                        mentorship=pair.row,
                        title=title,
                        status=status,
                        progress=progress,
                        target_date=day + self.days(120, 180),
                    )
                )
                created.append(min(_moment(day, rng.randint(9, 18)), now))
                ages.append((pair, max(1, age)))
        _create_backdated(Goal, goals, "created_at", created)
        milestones, updates, written = [], [], []
        for goal, (pair, age) in zip(goals, ages, strict=True):
            start = goal.created_at

            def after(share: float, start=start, age=age) -> datetime.datetime:
                return min(start + datetime.timedelta(days=age * share), now)

            steps = rng.sample(_MILESTONES, rng.choice([2, 3]))
            done = round(len(steps) * goal.progress / 100)
            for k, title in enumerate(steps):
                done_at = after((k + 1) / (len(steps) + 1)) if k < done else None
                milestones.append(
                    Milestone(goal=goal, title=title, due_on=goal.target_date, done_at=done_at)
                )
            checkpoints = rng.randint(1, 3)
            closing = {
                GoalStatus.ACHIEVED: "Done: this goal is achieved.",
                GoalStatus.DROPPED: "Dropping this one: my priorities changed.",
                GoalStatus.ACTIVE: "Still working on it.",
            }[goal.status]
            for k in range(checkpoints):
                final = k == checkpoints - 1
                updates.append(
                    GoalUpdate(
                        goal=goal,
                        author=pair.mentee.row,
                        text=closing if final else "Made progress since our last meeting.",
                        progress=round(goal.progress * (k + 1) / checkpoints),
                    )
                )
                written.append(after((k + 1) / (checkpoints + 1)))
            if rng.random() < 0.5:
                updates.append(
                    GoalUpdate(goal=goal, author=pair.mentor.row, text="Good progress: keep going.")
                )
                written.append(after(0.6))
        Milestone.objects.bulk_create(milestones, batch_size=1000)
        _create_backdated(GoalUpdate, updates, "created_at", written)
