"""Reads for programs: the program lists, the template library, a program's landing page, whether
enrolment is open, and objectives with their key results' progress."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from trellis.accounts.models import Role as AccountRole
from trellis.accounts.models import User
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.enrolment.services import check_eligibility, enrolment_closed_reason, offered_roles
from trellis.mentorships.selectors import mentorships_of

from .metrics import KeyResultProgress, MetricResult, key_result_progress, measure_all
from .models import Format, Metric, Objective, Program, ProgramModel, ProgramTemplate, Role, Status
from .permissions import can_manage_program
from .services import ACTIVE_PARTICIPANT_STATUSES, TemplateError, human_date, template_definition

# --- Enrolment state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentState:
    is_open: bool
    message: str


def enrolment_state(program: Program, *, today: datetime.date | None = None) -> EnrolmentState:
    """Whether people may register now, and a sentence saying so. The rule itself (cohorts
    within their window while enrolling; evergreen programs until they close) is the enrolment
    app's."""
    reason = enrolment_closed_reason(program, today)
    if reason:
        return EnrolmentState(False, reason)
    if program.model == ProgramModel.EVERGREEN:
        return EnrolmentState(True, "Open all year: join whenever suits you.")
    if program.enrolment_closes_on:
        return EnrolmentState(
            True, f"Registration is open until {human_date(program.enrolment_closes_on)}."
        )
    return EnrolmentState(True, "Registration is open.")


def roles_of(program: Program) -> list[str]:
    """The roles people join a program in: peers for peer programs, else mentors and mentees."""
    return offered_roles(program)


_CIRCLE_ROLE_LABELS = {Role.MENTOR: "Circle leader", Role.MENTEE: "Circle member"}


def role_label(program: Program, role: str) -> str:
    """What a role is called in this program (circles have leaders and members)."""
    if program.format == Format.CIRCLE and role in _CIRCLE_ROLE_LABELS:
        return _CIRCLE_ROLE_LABELS[role]
    return Role(role).label


# --- Program lists -----------------------------------------------------------------------------


def _with_counts(programs: QuerySet[Program]) -> QuerySet[Program]:
    active = Q(participants__status__in=ACTIVE_PARTICIPANT_STATUSES)
    return programs.annotate(
        active_participants=Count("participants", filter=active),
        mentor_count=Count("participants", filter=active & Q(participants__role=Role.MENTOR)),
        mentee_count=Count("participants", filter=active & Q(participants__role=Role.MENTEE)),
        peer_count=Count("participants", filter=active & Q(participants__role=Role.PEER)),
        matched_count=Count(
            "participants", filter=Q(participants__status=ParticipantStatus.MATCHED)
        ),
    )


def managed_programs(user) -> QuerySet[Program]:
    """Programs the user manages (every program for organisation admins), with participant
    counts (active participants, mentors, mentees, peers, matched), newest first."""
    if not (user.is_authenticated and user.is_program_manager):
        return Program.objects.none()
    programs = Program.objects.all() if user.is_org_admin else user.managed_programs.all()
    return _with_counts(programs).order_by("-created_at", "pk")


def open_programs(*, today: datetime.date | None = None) -> list[Program]:
    """Programs taking registrations now, soonest-closing first."""
    candidates = Program.objects.filter(
        Q(status=Status.ENROLLING)
        | Q(model=ProgramModel.EVERGREEN, status__in=[Status.MATCHING, Status.ACTIVE])
    ).order_by(F("enrolment_closes_on").asc(nulls_last=True), "name", "pk")
    return [p for p in candidates if not enrolment_closed_reason(p, today)]


def registrations_of(user) -> list[Participant]:
    """The user's registrations in any program (none when the account has no directory person)."""
    if not user.person_id:
        return []
    return list(
        Participant.objects.filter(person_id=user.person_id)
        .exclude(program__status=Status.DRAFT)
        .select_related("program")
        .order_by("-applied_at", "pk")
    )


@dataclass(frozen=True)
class ProgramLists:
    managed: list[Program]
    open: list[Program]
    registrations: list[Participant]
    is_manager: bool


def program_lists(user, *, today: datetime.date | None = None) -> ProgramLists:
    """Everything the programs page shows the user, in three queries."""
    return ProgramLists(
        managed=list(managed_programs(user)),
        open=open_programs(today=today),
        registrations=registrations_of(user),
        is_manager=user.is_program_manager,
    )


# --- Templates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateEntry:
    """A template and its validated definition; `error` is set (and definition empty) when a
    saved definition no longer reads, so one bad row does not break the page."""

    template: ProgramTemplate
    definition: dict = field(default_factory=dict)
    error: str = ""

    @property
    def format_label(self) -> str:
        return Format(self.definition["format"]).label if self.definition else ""

    @property
    def model_label(self) -> str:
        return ProgramModel(self.definition["model"]).label if self.definition else ""

    @property
    def question_count(self) -> int:
        return len(self.definition.get("questions", ()))

    @property
    def key_result_count(self) -> int:
        return sum(len(o["key_results"]) for o in self.definition.get("okrs", ()))


def template_entry(template: ProgramTemplate) -> TemplateEntry:
    try:
        return TemplateEntry(template, template_definition(template))
    except TemplateError as error:
        return TemplateEntry(template, error=str(error))


def template_library() -> list[TemplateEntry]:
    """Built-in templates first, then saved ones, by name. One query."""
    return [template_entry(t) for t in ProgramTemplate.objects.select_related("created_by__person")]


# --- Landing page ------------------------------------------------------------------------------


def visible_program(slug: str, user) -> Program | None:
    """The program for its landing page, or None: drafts are visible to their managers only."""
    program = (
        Program.objects.filter(slug=slug)
        .prefetch_related("eligible_departments", "eligible_locations")
        .first()
    )
    if program is None:
        return None
    if program.status == Status.DRAFT and not can_manage_program(user, program):
        return None
    return program


@dataclass(frozen=True)
class JoinOption:
    """A role the user could register in; `reasons` say why they may not (empty: they may)."""

    role: str
    label: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Landing:
    program: Program
    enrolment: EnrolmentState
    registrations: list[Participant]
    join_options: list[JoinOption]
    who_may_join: list[tuple[str, str]]
    can_manage: bool
    has_person: bool
    mentorships: list = field(default_factory=list)


def who_may_join(program: Program) -> list[tuple[str, str]]:
    """(who, rule) sentences for the landing page, from the program's eligibility settings."""
    rules: list[tuple[str, str]] = []
    if program.has_mentor_role:
        mentor_rules = []
        if program.mentor_min_level is not None:
            mentor_rules.append(f"level {program.mentor_min_level} or above")
        if program.mentor_min_tenure_months:
            months = program.mentor_min_tenure_months
            if months % 12 == 0:
                years = months // 12
                mentor_rules.append(f"at least {years} year{'s' if years != 1 else ''} here")
            else:
                mentor_rules.append(f"at least {months} month{'s' if months != 1 else ''} here")
        rules.append(
            (
                role_label(program, Role.MENTOR) + "s",
                ", ".join(mentor_rules).capitalize() if mentor_rules else "Anyone in scope",
            )
        )
        mentee_rule = (
            f"Level {program.mentee_max_level} or below"
            if program.mentee_max_level is not None
            else "Anyone in scope"
        )
        rules.append((role_label(program, Role.MENTEE) + "s", mentee_rule))
    departments = [d.name for d in program.eligible_departments.all()]
    locations = [loc.name for loc in program.eligible_locations.all()]
    rules.append(("Departments", ", ".join(departments) if departments else "Every department"))
    rules.append(("Locations", ", ".join(locations) if locations else "Every location"))
    return rules


def landing(program: Program, user, *, today: datetime.date | None = None) -> Landing:
    """What the landing page shows this user: the program, whether and how they may join, and
    their own registrations in it."""
    state = enrolment_state(program, today=today)
    registrations = (
        list(Participant.objects.filter(program=program, person_id=user.person_id))
        if user.person_id
        else []
    )
    options: list[JoinOption] = []
    if state.is_open and user.person_id:
        held = {p.role for p in registrations if p.is_active}
        if not held or program.allow_both_roles:
            options = [
                JoinOption(
                    role,
                    role_label(program, role),
                    check_eligibility(program, user.person, role, today=today),
                )
                for role in roles_of(program)
                if role not in held
            ]
    return Landing(
        program=program,
        enrolment=state,
        registrations=registrations,
        join_options=options,
        who_may_join=who_may_join(program),
        can_manage=can_manage_program(user, program),
        has_person=bool(user.person_id),
        mentorships=mentorships_of(user.person_id, program),
    )


# --- Settings and OKRs -------------------------------------------------------------------------


def possible_managers() -> QuerySet[User]:
    """Accounts that may be named program managers: active program managers and admins."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[AccountRole.PROGRAM_MANAGER, AccountRole.ADMIN]) | Q(is_superuser=True))
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "email")
    )


def program_managers(program: Program) -> list[User]:
    return list(program.managers.select_related("person").order_by("email"))


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    key_results: list[KeyResultProgress]


@dataclass(frozen=True)
class ProgramOkrs:
    objectives: list[ObjectiveProgress]
    metrics: dict[str, MetricResult]


def program_okrs(
    program: Program,
    *,
    today: datetime.date | None = None,
    every_metric: bool = True,
    known: dict[str, MetricResult] | None = None,
) -> ProgramOkrs:
    """Objectives with their key results' progress, and every named metric's current value
    (only the key results' metrics when not `every_metric`; `known` ones are reused).

    Queries: objectives, key results, then a fixed handful per measurable metric; the number of
    objectives and key results does not change it.
    """
    objectives = list(program.objectives.prefetch_related("key_results"))
    if every_metric:
        wanted = list(Metric.values)
    else:
        wanted = [kr.metric for o in objectives for kr in o.key_results.all() if kr.metric]
    metrics = measure_all(program, wanted, known)
    return ProgramOkrs(
        objectives=[
            ObjectiveProgress(
                objective,
                [
                    key_result_progress(kr, program=program, measurements=metrics, today=today)
                    for kr in objective.key_results.all()
                ],
            )
            for objective in objectives
        ],
        metrics=metrics,
    )
