"""What the engine needs for one program, read from the database: the profiles of the mentees
still to match and of the mentors with a free place, capacities, forbidden and locked pairs."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.matching import Criterion, Profile
from trellis.matching.criteria import AllowedRows
from trellis.mentorships.models import RUNNING, Mentorship
from trellis.people.models import Skill
from trellis.programs.models import Criterion as AnswerCriterion
from trellis.programs.models import Program, Question, Role

from .models import PairRule, RuleKind

ACTIVE_STATUSES = (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED)


@dataclass
class MatchInputs:
    program: Program
    criteria: list[Criterion]
    mentees: list[Participant]
    mentors: list[Participant]
    mentee_profiles: list[Profile]
    mentor_profiles: list[Profile]
    capacity: np.ndarray  # free places per mentor (after running mentorships)
    forbidden: tuple[np.ndarray, np.ndarray]  # (mentee index, mentor index)
    locked: list[tuple[int, int]] = field(default_factory=list)
    forbid_reasons: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def allowed(self) -> AllowedRows:
        return AllowedRows(self.forbidden, (len(self.mentees), len(self.mentors)))

    def mentee_index(self) -> dict[int, int]:
        return {p.pk: i for i, p in enumerate(self.mentees)}

    def mentor_index(self) -> dict[int, int]:
        return {p.pk: j for j, p in enumerate(self.mentors)}


def program_criteria(
    program: Program, weights: dict | None = None, options: dict | None = None
) -> list[Criterion]:
    """The engine configuration of a program (or of a run's tuned weights and options); the
    skills taxonomy comes from the directory (skill -> category)."""
    weights = program.matching_weights if weights is None else weights
    options = program.matching_options if options is None else options
    taxonomy = {
        name: category
        for name, category in Skill.objects.exclude(category="").values_list(
            "normalised_name", "category"
        )
    }
    criteria = []
    for name, weight in (weights or {}).items():
        if not weight:
            continue
        chosen = dict((options or {}).get(name, {}))
        if name in ("skills", "goals") and taxonomy:
            chosen["taxonomy"] = taxonomy
        criteria.append(Criterion(name, float(weight), chosen))
    if not criteria:
        criteria = [Criterion("skills", 1.0)]
    return criteria


def _utc_offset(zone: str, now: datetime.datetime, cache: dict[str, float | None]) -> float | None:
    if zone not in cache:
        try:
            delta = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            delta = None
        cache[zone] = None if delta is None else delta.total_seconds() / 3600
    return cache[zone]


def _words(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if value in (None, "", False):
        return []
    return [str(value)]


class _Profiles:
    """Turns participants (person + registration answers) into engine profiles."""

    def __init__(self, program: Program) -> None:
        self.questions: dict[str, Question] = {
            str(q.pk): q for q in program.questions.exclude(criterion="")
        }
        self.skill_names = dict(Skill.objects.values_list("pk", "name"))
        self.now = datetime.datetime.now(datetime.UTC)
        self.offsets: dict[str, float | None] = {}

    def answers(self, participant: Participant) -> dict[str, list[str]]:
        by_criterion: dict[str, list[str]] = {}
        for key, value in (participant.answers or {}).items():
            question = self.questions.get(str(key))
            if question is None:
                continue
            if question.kind == "skills":
                items = [self.skill_names[v] for v in value or [] if v in self.skill_names]
            else:
                items = _words(value)
            by_criterion.setdefault(question.criterion, []).extend(items)
        return by_criterion

    def profile(self, participant: Participant, capacity: int) -> Profile:
        person = participant.person
        said = self.answers(participant)
        directory_skills = frozenset(s.name for s in person.skills.all())
        offered = said.get(AnswerCriterion.SKILLS_OFFERED, []) + said.get(
            AnswerCriterion.EXPERTISE, []
        )
        is_mentor = participant.role in (Role.MENTOR, Role.PEER)  # peers offer and seek
        languages = {language.name for language in person.languages.all()}
        languages.update(said.get(AnswerCriterion.LANGUAGES, []))
        wanted = {}
        departments = said.get(AnswerCriterion.PREFERRED_DEPARTMENT, [])
        if departments:
            wanted["department"] = frozenset(departments)
        text = " ".join(said.get(AnswerCriterion.FREE_TEXT, []))
        return Profile(
            id=str(participant.pk),
            name=person.full_name,
            department=person.department.name if person.department_id else "",
            title=person.title,
            location=person.location.name if person.location_id else "",
            level=float(person.level) if person.level is not None else None,
            utc_offset=_utc_offset(person.effective_time_zone, self.now, self.offsets),
            languages=frozenset(languages),
            skills_offered=frozenset(offered) if offered or not is_mentor else directory_skills,
            skills_sought=frozenset(said.get(AnswerCriterion.SKILLS_SOUGHT, [])),
            goals=frozenset(said.get(AnswerCriterion.GOALS, [])),
            text=text or (person.bio if is_mentor else ""),
            capacity=capacity,
            wanted=wanted,
        )


def _ancestors(path: str) -> list[int]:
    """Person ids above the owner of a materialised path "/1/12/45/" (45 is the owner)."""
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return ids[:-1]


def load_inputs(
    program: Program,
    *,
    weights: dict | None = None,
    options: dict | None = None,
    mentees: Iterable[Participant] | None = None,
) -> MatchInputs:
    """Mentees without a running mentorship (or the given ones), mentors with free places,
    and the pairs that may never be made: the same person, a reporting line either way, a
    previous mentorship in this program, a manager's "never pair" rule."""
    base = (
        Participant.objects.filter(program=program, status__in=ACTIVE_STATUSES)
        .select_related("person__department", "person__location")
        .prefetch_related("person__skills", "person__languages")
    )
    running = Q(mentorships_as_mentee__status__in=RUNNING)
    if mentees is None:
        mentee_list = list(
            base.filter(role=Role.MENTEE).exclude(running).order_by("applied_at", "pk")
        )
    else:
        # fresh from the database (reporting paths and answers may have changed since)
        wanted = [p.pk for p in mentees]
        fresh = Participant.objects.filter(pk__in=wanted).select_related(
            "person__department", "person__location"
        )
        by_pk = {p.pk: p for p in fresh.prefetch_related("person__skills", "person__languages")}
        mentee_list = [by_pk[pk] for pk in wanted if pk in by_pk]
    mentor_rows = list(
        base.filter(role=Role.MENTOR)
        .annotate(
            running=Count(
                "mentorships_as_mentor",
                filter=Q(mentorships_as_mentor__status__in=RUNNING),
            )
        )
        .order_by("applied_at", "pk")
    )
    mentor_list, free = [], []
    for mentor in mentor_rows:
        places = (mentor.capacity or program.mentor_capacity) - mentor.running
        if places > 0:
            mentor_list.append(mentor)
            free.append(places)
    maker = _Profiles(program)
    mentee_profiles = [maker.profile(p, 0) for p in mentee_list]
    mentor_profiles = [maker.profile(p, c) for p, c in zip(mentor_list, free, strict=True)]

    mentee_at = {p.pk: i for i, p in enumerate(mentee_list)}
    mentor_at = {p.pk: j for j, p in enumerate(mentor_list)}
    mentee_by_person: dict[int, list[int]] = {}
    for i, p in enumerate(mentee_list):
        mentee_by_person.setdefault(p.person_id, []).append(i)
    mentor_by_person: dict[int, list[int]] = {}
    for j, p in enumerate(mentor_list):
        mentor_by_person.setdefault(p.person_id, []).append(j)
    reasons: dict[tuple[int, int], str] = {}
    for i, p in enumerate(mentee_list):
        for j in mentor_by_person.get(p.person_id, ()):
            reasons[i, j] = "the same person"
        for boss in _ancestors(p.person.reporting_path):
            for j in mentor_by_person.get(boss, ()):
                reasons[i, j] = "in the mentee's reporting line"
    for j, p in enumerate(mentor_list):
        for boss in _ancestors(p.person.reporting_path):
            for i in mentee_by_person.get(boss, ()):
                reasons[i, j] = "in the mentor's reporting line"
    previous = Mentorship.objects.filter(program=program).exclude(status__in=RUNNING)
    for mentee_id, mentor_id in previous.values_list("mentee_id", "mentor_id"):
        if mentee_id in mentee_at and mentor_id in mentor_at:
            reasons[mentee_at[mentee_id], mentor_at[mentor_id]] = "a previous mentorship"
    locked: list[tuple[int, int]] = []
    rules = PairRule.objects.filter(program=program).values_list("mentee_id", "mentor_id", "kind")
    for mentee_id, mentor_id, kind in rules:
        if mentee_id not in mentee_at or mentor_id not in mentor_at:
            continue
        pair = (mentee_at[mentee_id], mentor_at[mentor_id])
        if kind == RuleKind.FORBID:
            reasons[pair] = "the program manager's rule"
        elif pair not in reasons:
            locked.append(pair)
    # a mentor takes at most their free places of locked pairs, the oldest rules first
    load: dict[int, int] = {}
    kept = []
    for i, j in locked:
        if load.get(j, 0) < free[j]:
            load[j] = load.get(j, 0) + 1
            kept.append((i, j))
    ordered = sorted(reasons)
    forbidden = (
        np.array([i for i, _ in ordered], dtype=np.int64),
        np.array([j for _, j in ordered], dtype=np.int64),
    )
    return MatchInputs(
        program=program,
        criteria=program_criteria(program, weights, options),
        mentees=mentee_list,
        mentors=mentor_list,
        mentee_profiles=mentee_profiles,
        mentor_profiles=mentor_profiles,
        capacity=np.array(free, dtype=np.int64),
        forbidden=forbidden,
        locked=kept,
        forbid_reasons=reasons,
    )


def load_peer_inputs(
    program: Program, *, weights: dict | None = None, options: dict | None = None
) -> MatchInputs:
    """Peer programs: one pool, each peer both seeks and offers. `mentees` and `mentors` are
    the same list; the forbidden pairs are symmetric (reporting line either way, previous
    pairs and the manager's rules in either order)."""
    peers = list(
        Participant.objects.filter(program=program, role=Role.PEER, status__in=ACTIVE_STATUSES)
        .exclude(
            Q(mentorships_as_mentee__status__in=RUNNING)
            | Q(mentorships_as_mentor__status__in=RUNNING)
        )
        .select_related("person__department", "person__location")
        .prefetch_related("person__skills", "person__languages")
        .order_by("applied_at", "pk")
    )
    maker = _Profiles(program)
    profiles = [maker.profile(p, 1) for p in peers]
    at = {p.pk: i for i, p in enumerate(peers)}
    by_person: dict[int, list[int]] = {}
    for i, p in enumerate(peers):
        by_person.setdefault(p.person_id, []).append(i)
    reasons: dict[tuple[int, int], str] = {}

    def forbid(i: int, j: int, why: str) -> None:
        if i != j:
            reasons[i, j] = reasons[j, i] = why

    for i, p in enumerate(peers):
        for boss in _ancestors(p.person.reporting_path):
            for j in by_person.get(boss, ()):
                forbid(i, j, "in the reporting line")
    previous = Mentorship.objects.filter(program=program).exclude(status__in=RUNNING)
    for a, b in previous.values_list("mentee_id", "mentor_id"):
        if a in at and b in at:
            forbid(at[a], at[b], "a previous pairing")
    locked = []
    rules = PairRule.objects.filter(program=program).values_list("mentee_id", "mentor_id", "kind")
    for a, b, kind in rules:
        if a in at and b in at:
            if kind == RuleKind.FORBID:
                forbid(at[a], at[b], "the program manager's rule")
            else:
                locked.append((at[a], at[b]))
    ordered = sorted(reasons)
    return MatchInputs(
        program=program,
        criteria=program_criteria(program, weights, options),
        mentees=peers,
        mentors=peers,
        mentee_profiles=profiles,
        mentor_profiles=profiles,
        capacity=np.ones(len(peers), dtype=np.int64),
        forbidden=(
            np.array([i for i, _ in ordered], dtype=np.int64),
            np.array([j for _, j in ordered], dtype=np.int64),
        ),
        locked=locked,
        forbid_reasons=reasons,
    )
