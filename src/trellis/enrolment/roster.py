"""The program manager's side of enrolment: the roster of participants (filters, counts, answers
rendered for people, CSV rows), skills supply and demand, and invitations to register.

Reads and writes for the manager pages live here, apart from the registration flow in
`selectors.py` and `services.py`.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, Count, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.services import create_sign_up_link, people_without_account
from trellis.notifications.services import send_templated_email
from trellis.people.models import Department, Location, Person, Skill
from trellis.programs.models import Criterion, Program, Question, QuestionKind, Role

from .models import Participant, ParticipantStatus, ProgramInvitation
from .services import ACTIVE_STATUSES, enrolment_closed_reason, supply_and_demand_ratio

ROSTER_PAGE_SIZE = 25
# Every word must match; more words than this are ignored (one pasted paragraph stays cheap).
MAX_SEARCH_WORDS = 8
# A person invited to register hears from us at most once in this period (invitation included).
REMINDER_SPACING = timedelta(days=3)
# Questions whose answers come from a closed list, so the roster can filter on one value.
FILTERABLE_KINDS = (
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.SKILLS,
    QuestionKind.YES_NO,
)


# --- Answers, rendered for people --------------------------------------------------------------


def choice_options(question: Question) -> list[tuple[str, str]]:
    """The (value, label) pairs of a choice question. Choices are stored as their own labels."""
    return [(str(choice), str(choice)) for choice in question.choices or []]


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _skill_id(value) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdecimal() else None


def answer_skill_ids(value) -> list[int]:
    """Skill ids from a skills answer (stored as ids; tolerate ids stored as strings)."""
    ids = [_skill_id(item) for item in _as_list(value)]
    return [skill_id for skill_id in ids if skill_id is not None]


def render_answer(question: Question, value, skill_names: dict[int, str]) -> str:
    """An answer as a person reads it: choice labels, skill names joined with "; ", Yes/No.

    Unanswered is the empty string. A value no longer among the question's choices (the
    question was edited after the answer) is shown as stored rather than hidden; a skill
    since deleted from the taxonomy shows as "Skill #id".
    """
    if value is None or value == "" or value == []:
        return ""
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        labels = dict(choice_options(question))
        return "; ".join(labels.get(str(item), str(item)) for item in _as_list(value))
    if kind == QuestionKind.SKILLS:
        return "; ".join(
            skill_names.get(skill_id, f"Skill #{skill_id}") for skill_id in answer_skill_ids(value)
        )
    if kind == QuestionKind.YES_NO:
        if isinstance(value, str):
            return "Yes" if value.lower() in {"yes", "true", "1"} else "No"
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


def skill_names_for(answer_lists: Iterable[dict], questions: Iterable[Question]) -> dict[int, str]:
    """Names of every skill referenced by these answers to these questions. One query."""
    skills_questions = [str(q.pk) for q in questions if q.kind == QuestionKind.SKILLS]
    ids: set[int] = set()
    for answers in answer_lists:
        for key in skills_questions:
            ids.update(answer_skill_ids((answers or {}).get(key)))
    if not ids:
        return {}
    return dict(Skill.objects.filter(pk__in=ids).values_list("pk", "name"))


# --- The roster: filters, summary, page ----------------------------------------------------------


@dataclass(frozen=True)
class AnswerFilter:
    """Participants whose answer to `question` is, or includes, `value`.

    `value` is a choice value (str), a skill id (int) or True/False for a yes/no question.
    """

    question: Question
    value: str | int | bool
    label: str = ""

    @property
    def option_value(self) -> str:
        """The filter's value as the form sends it: `<question id>:<value>`."""
        if isinstance(self.value, bool):
            return f"{self.question.pk}:{'yes' if self.value else 'no'}"
        return f"{self.question.pk}:{self.value}"


@dataclass(frozen=True)
class RosterFilters:
    role: str = ""
    status: str = ""
    department_id: int | None = None
    location_id: int | None = None
    query: str = ""
    answer: AnswerFilter | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.role
            or self.status
            or self.department_id
            or self.location_id
            or self.query.strip()
            or self.answer
        )


def _answer_matches(answer: AnswerFilter) -> Q:
    """A condition on `Participant.answers[question id]` equal to, or a list including, the value.

    Answers are keyed by the question id, a numeric string, which Django's key lookups would
    read as an array index; so PostgreSQL uses JSON containment and SQLite `json_each` on a
    quoted path. Skills ids are matched whether stored as numbers or as strings.
    """
    key = str(answer.question.pk)
    value = answer.value
    if connection.vendor == "postgresql":
        candidates: list = [value]
        if answer.question.kind == QuestionKind.SKILLS:
            candidates = [int(value), str(value)]
        condition = Q()
        for candidate in candidates:
            condition |= Q(answers__contains={key: candidate})
            condition |= Q(answers__contains={key: [candidate]})
        return condition
    # SQLite: json_each over a scalar yields that one value, over an array each element.
    text = ("1" if value else "0") if isinstance(value, bool) else str(value)
    # Fixed SQL: the JSON path and the value are parameters.
    matches = RawSQL(
        'EXISTS (SELECT 1 FROM json_each("enrolment_participant"."answers", %s) '
        "WHERE CAST(value AS TEXT) = %s)",
        (f'$."{key}"', text),
        output_field=BooleanField(),
    )
    return Q(matches)


def roster_participants(program: Program, filters: RosterFilters | None = None) -> QuerySet:
    """This program's participants matching the filters, by last name, first name and role.

    Person, department and location come joined: one query for any number of rows.
    """
    filters = filters or RosterFilters()
    participants = Participant.objects.filter(program=program)
    if filters.role:
        participants = participants.filter(role=filters.role)
    if filters.status:
        participants = participants.filter(status=filters.status)
    if filters.department_id is not None:
        participants = participants.filter(person__department_id=filters.department_id)
    if filters.location_id is not None:
        participants = participants.filter(person__location_id=filters.location_id)
    words = filters.query.split()[:MAX_SEARCH_WORDS]
    if words:
        participants = participants.alias(
            search_text=Concat(
                "person__first_name",
                Value(" "),
                "person__last_name",
                Value(" "),
                "person__email",
                output_field=CharField(),
            )
        )
        for word in words:
            participants = participants.filter(search_text__icontains=word)
    if filters.answer is not None:
        participants = participants.filter(_answer_matches(filters.answer))
    return participants.select_related("person", "person__department", "person__location").order_by(
        "person__last_name", "person__first_name", "role", "pk"
    )


def roster_page(program: Program, filters: RosterFilters, page: object = 1) -> Page:
    """One page of the roster; a missing or malformed page is clamped. Two queries."""
    return Paginator(roster_participants(program, filters), ROSTER_PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class CountedChoice:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class RosterSummary:
    """The roster's header: counts per status and per role, and mentor places against mentees.

    Places and demand are the waitlist's own figures (`services.supply_and_demand_ratio`):
    places offered by approved and matched mentors, against active mentees.
    """

    total: int
    by_status: list[CountedChoice]
    by_role: list[CountedChoice]
    has_mentor_role: bool
    mentor_slots: int
    mentee_demand: int

    @property
    def is_short_of_mentors(self) -> bool:
        return self.has_mentor_role and self.mentee_demand > self.mentor_slots

    @property
    def shortfall(self) -> int:
        """Mentees beyond the available mentor places (0 when there are enough)."""
        return max(self.mentee_demand - self.mentor_slots, 0) if self.has_mentor_role else 0


def roster_summary(program: Program) -> RosterSummary:
    """Counts for the roster header. Two queries: one grouped count, one for the places."""
    rows = (
        Participant.objects.filter(program=program)
        .order_by()
        .values_list("role", "status")
        .annotate(n=Count("pk"))
    )
    by_status: Counter = Counter()
    by_role: Counter = Counter()
    for role, status, count in rows:
        by_status[status] += count
        by_role[role] += count
    roles = [Role.MENTOR, Role.MENTEE] if program.has_mentor_role else [Role.PEER]
    roles += [role for role in Role if by_role[role] and role not in roles]
    places = supply_and_demand_ratio(program) if program.has_mentor_role else None
    return RosterSummary(
        total=sum(by_status.values()),
        by_status=[CountedChoice(s.value, s.label, by_status[s]) for s in ParticipantStatus],
        by_role=[CountedChoice(r.value, r.label, by_role[r]) for r in roles],
        has_mentor_role=program.has_mentor_role,
        mentor_slots=places.mentor_slots if places else 0,
        mentee_demand=places.mentees_wanting if places else 0,
    )


@dataclass(frozen=True)
class AnswerOptionGroup:
    """One filterable question and the values a manager can pick, as `<optgroup>` data."""

    question: Question
    options: list[tuple[str, str]]  # ("<question id>:<value>", label)


def answer_filter_options(
    questions: Iterable[Question], skills: Iterable[Skill]
) -> list[AnswerOptionGroup]:
    """The answer filter's choices: each choice, yes/no or skills question with its values."""
    skills = list(skills)
    groups: list[AnswerOptionGroup] = []
    for question in questions:
        if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            values = choice_options(question)
        elif question.kind == QuestionKind.YES_NO:
            values = [("yes", "Yes"), ("no", "No")]
        elif question.kind == QuestionKind.SKILLS:
            values = [(str(skill.pk), skill.name) for skill in skills]
        else:
            continue
        groups.append(
            AnswerOptionGroup(
                question, [(f"{question.pk}:{value}", label) for value, label in values]
            )
        )
    return groups


@dataclass(frozen=True)
class RosterOptions:
    """Choices for the roster filters: departments and locations of this program's people."""

    departments: list[Department]
    locations: list[Location]
    answer_groups: list[AnswerOptionGroup]


def program_questions(program: Program) -> list[Question]:
    return list(program.questions.order_by("position", "pk"))


def roster_options(program: Program, questions: list[Question]) -> RosterOptions:
    """Filter choices. Three queries (departments, locations, skills when a skills question)."""
    in_program = Participant.objects.filter(program=program)
    departments = list(
        Department.objects.filter(people__participations__in=in_program).distinct().order_by("name")
    )
    locations = list(
        Location.objects.filter(people__participations__in=in_program).distinct().order_by("name")
    )
    has_skills_question = any(q.kind == QuestionKind.SKILLS for q in questions)
    skills = list(Skill.objects.only("id", "name")) if has_skills_question else []
    return RosterOptions(departments, locations, answer_filter_options(questions, skills))


def participants_of_program(program: Program, ids: Iterable[int]) -> tuple[list[Participant], int]:
    """The participants with these ids that belong to `program`, and how many ids did not."""
    wanted = set(ids)
    found = list(
        Participant.objects.filter(program=program, pk__in=wanted).select_related("person")
    )
    return found, len(wanted) - len(found)


# --- One participant, as the manager sees them ------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    question: Question
    text: str
    is_answered: bool


@dataclass(frozen=True)
class ParticipantDetail:
    participant: Participant
    answers: list[ShownAnswer]
    other_roles: list[Participant]
    invitation: ProgramInvitation | None


def participant_detail(program: Program, pk: int) -> ParticipantDetail | None:
    """A participant of this program with every answer (private ones included), or None.

    The questions shown are those asked of the participant's role, plus any other question
    they answered (a question whose role changed after they registered).
    """
    participant = (
        Participant.objects.filter(program=program, pk=pk)
        .select_related("person__department", "person__location", "person__manager", "decided_by")
        .prefetch_related("person__skills")
        .first()
    )
    if participant is None:
        return None
    answers = participant.answers or {}
    # In the order the participant saw them: every role's questions first, then their role's.
    questions = sorted(
        (
            q
            for q in program_questions(program)
            if q.role in ("", participant.role) or str(q.pk) in answers
        ),
        key=lambda q: (q.role != "", q.position, q.pk),
    )
    names = skill_names_for([answers], questions)
    shown = []
    for question in questions:
        text = render_answer(question, answers.get(str(question.pk)), names)
        shown.append(ShownAnswer(question, text, is_answered=text != ""))
    other_roles = list(
        Participant.objects.filter(program=program, person_id=participant.person_id).exclude(
            pk=participant.pk
        )
    )
    invitation = ProgramInvitation.objects.filter(
        program=program, person_id=participant.person_id
    ).first()
    return ParticipantDetail(participant, shown, other_roles, invitation)


# --- CSV export ----------------------------------------------------------------------------------

# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PERSON_COLUMNS = [
    "Employee ID",
    "First name",
    "Last name",
    "Email",
    "Title",
    "Department",
    "Location",
    "Level",
    "Role",
    "Status",
    "Capacity",
    "Applied at",
    "Decided at",
    "Withdrawn at",
]
EXPORT_CHUNK_SIZE = 1000


def csv_safe(value) -> str:
    """A cell's text, quoted with a leading apostrophe when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)  # our own numbers, never a formula
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_rows(program: Program, filters: RosterFilters) -> Iterator[list[str]]:
    """The roster as CSV rows (header first): person fields, enrolment fields, one column per
    question with answers rendered readably. Respects the filters; every cell is CSV-safe.

    Three queries whatever the size: questions, skill names, participants (in chunks).
    """
    questions = program_questions(program)
    has_skills_question = any(q.kind == QuestionKind.SKILLS for q in questions)
    names = dict(Skill.objects.values_list("pk", "name")) if has_skills_question else {}
    yield [csv_safe(column) for column in PERSON_COLUMNS + [q.label for q in questions]]
    participants = roster_participants(program, filters)
    for participant in participants.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        person = participant.person
        answers = participant.answers or {}
        cells = [
            person.employee_id,
            person.first_name,
            person.last_name,
            person.email,
            person.title,
            person.department.name if person.department else "",
            person.location.name if person.location else "",
            person.level,
            participant.get_role_display(),
            participant.get_status_display(),
            participant.capacity,
            participant.applied_at,
            participant.decided_at,
            participant.withdrawn_at,
        ]
        for question in questions:
            value = answers.get(str(question.pk))
            if question.kind == QuestionKind.SCALE and isinstance(value, int):
                cells.append(value)
            else:
                cells.append(render_answer(question, value, names))
        yield [csv_safe(cell) for cell in cells]


# --- Skills supply and demand -------------------------------------------------------------------


@dataclass(frozen=True)
class SkillBalance:
    skill_id: int
    name: str
    seeking: int  # active mentees (or peers) who want it
    offering: int  # active mentors (or peers) who offer it

    @property
    def gap(self) -> int:
        return self.seeking - self.offering

    @property
    def spare(self) -> int:
        return max(self.offering - self.seeking, 0)

    @property
    def is_unmet(self) -> bool:
        return self.seeking > self.offering


@dataclass(frozen=True)
class SupplyDemand:
    skills: list[SkillBalance]
    offered_from_directory: bool  # no skills-offered question: mentors' directory skills count
    seekers: int
    offerers: int
    has_sought_question: bool
    unmet: list[SkillBalance] = field(default_factory=list)


def supply_and_demand(program: Program) -> SupplyDemand:
    """For each skill, how many active mentees seek it against how many active mentors offer it.

    Demand comes from answers to skills questions feeding `skills_sought`; supply from those
    feeding `skills_offered`, or, when the program asks no such question, from the mentors'
    skills in the directory. A person counts once per skill. Peers both seek and offer. Sorted
    by gap (largest unmet demand first), then by name. Three or four queries.
    """
    questions = [q for q in program_questions(program) if q.kind == QuestionKind.SKILLS]
    sought = [str(q.pk) for q in questions if q.criterion == Criterion.SKILLS_SOUGHT]
    offered = [str(q.pk) for q in questions if q.criterion == Criterion.SKILLS_OFFERED]
    seeker_roles = {Role.MENTEE, Role.PEER}
    offerer_roles = {Role.MENTOR, Role.PEER}
    rows = list(
        Participant.objects.filter(program=program, status__in=ACTIVE_STATUSES).values_list(
            "person_id", "role", "answers"
        )
    )
    seeking: dict[int, set[int]] = {}
    offering: dict[int, set[int]] = {}
    seekers: set[int] = set()
    offerers: set[int] = set()
    for person_id, role, answers in rows:
        answers = answers or {}
        if role in seeker_roles:
            seekers.add(person_id)
            for key in sought:
                for skill_id in answer_skill_ids(answers.get(key)):
                    seeking.setdefault(skill_id, set()).add(person_id)
        if role in offerer_roles:
            offerers.add(person_id)
            for key in offered:
                for skill_id in answer_skill_ids(answers.get(key)):
                    offering.setdefault(skill_id, set()).add(person_id)
    offered_from_directory = not offered
    if offered_from_directory:
        mentor_people = {person_id for person_id, role, _ in rows if role in offerer_roles}
        for person_id, skill_id in Person.skills.through.objects.filter(
            person_id__in=mentor_people
        ).values_list("person_id", "skill_id"):
            offering.setdefault(skill_id, set()).add(person_id)
    skill_ids = set(seeking) | set(offering)
    names = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "name"))
    balances = [
        SkillBalance(
            skill_id,
            names[skill_id],
            len(seeking.get(skill_id, ())),
            len(offering.get(skill_id, ())),
        )
        for skill_id in skill_ids
        if skill_id in names  # a skill deleted from the taxonomy since
    ]
    balances.sort(key=lambda b: (-b.gap, -b.seeking, b.name.casefold()))
    return SupplyDemand(
        skills=balances,
        offered_from_directory=offered_from_directory,
        seekers=len(seekers),
        offerers=len(offerers),
        has_sought_question=bool(sought),
        unmet=[b for b in balances if b.is_unmet],
    )


# --- Invitations to register, and reminders -----------------------------------------------------


class InvitationError(Exception):
    """An invitation cannot be sent; the message says what to do instead."""


@dataclass(frozen=True)
class ProgramInvitationBatch:
    invited: list[Person]
    already_invited: list[Person]
    already_registered: list[Person]
    inactive: list[Person]


def landing_url(program: Program) -> str:
    return settings.SITE_URL + reverse("programs:landing", args=[program.slug])


def _inviter_name(user) -> str:
    if user is None:
        return settings.ORGANISATION_NAME
    return user.get_full_name() or settings.ORGANISATION_NAME


def _check_invitable(program: Program) -> None:
    """Invitations point at the landing page: only send them while people can register."""
    closed = enrolment_closed_reason(program)
    if closed:
        raise InvitationError(f"Invitations go out only while registration is open. {closed}")


def invite_to_program(
    program: Program, people: Iterable[Person], *, role: str = "", by=None
) -> ProgramInvitationBatch:
    """Invite each person to register for `program`, optionally in `role`, and email them.

    A person is invited once per program: people already invited, already registered (in any
    role), or who have left the organisation are skipped and reported.
    """
    _check_invitable(program)
    if role and role not in Role.values:
        raise InvitationError(f"{role!r} is not a role of this program.")
    if role == Role.PEER and program.has_mentor_role:
        raise InvitationError("This program has mentors and mentees, not peers.")
    if role in (Role.MENTOR, Role.MENTEE) and not program.has_mentor_role:
        raise InvitationError("This is a peer program: invite people as peers or without a role.")
    people = list({person.pk: person for person in people}.values())
    ids = [person.pk for person in people]
    invited_ids = set(
        ProgramInvitation.objects.filter(program=program, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    registered_ids = set(
        Participant.objects.filter(program=program, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    batch = ProgramInvitationBatch([], [], [], [])
    # People without a Trellis account get their sign-up link in the same email.
    may_sign_up = people_without_account(people)
    context = {
        "program": program,
        "role_label": Role(role).label.lower() if role else "",
        "inviter_name": _inviter_name(by),
        "landing_url": landing_url(program),
    }
    with transaction.atomic():
        for person in people:
            if not person.is_active:
                batch.inactive.append(person)
            elif person.pk in registered_ids:
                batch.already_registered.append(person)
            elif person.pk in invited_ids:
                batch.already_invited.append(person)
            else:
                _, created = ProgramInvitation.objects.get_or_create(
                    program=program, person=person, defaults={"role": role, "invited_by": by}
                )
                if not created:  # invited by someone else a moment ago
                    batch.already_invited.append(person)
                    continue
                sign_up = sign_up_url = None
                if person.pk in may_sign_up:
                    sign_up = create_sign_up_link(person, invited_by=by)
                    # After choosing a password they land on the program's page.
                    landing_path = reverse("programs:landing", args=[program.slug])
                    sign_up_url = f"{sign_up.url}?{urlencode({'next': landing_path})}"
                send_templated_email(
                    "program_invitation",
                    person.email,
                    {
                        **context,
                        "first_name": person.first_name,
                        "sign_up": sign_up,
                        "sign_up_url": sign_up_url,
                    },
                )
                batch.invited.append(person)
    return batch


def pending_invitations(program: Program) -> QuerySet:
    """Invitations of people who have not registered (in any role) and are still here."""
    return (
        ProgramInvitation.objects.filter(program=program, person__is_active=True)
        .exclude(person__participations__program=program)
        .select_related("person", "person__department")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def pending_invitations_page(
    program: Program, page: object = 1, *, now: datetime.datetime | None = None, per_page: int = 50
) -> Page:
    """One page of pending invitations, each marked `is_due` for a reminder. Two queries."""
    now = now or timezone.now()
    page_obj = Paginator(pending_invitations(program), per_page).get_page(page)
    for invitation in page_obj.object_list:
        invitation.is_due = invitation_is_due(invitation, now)
    return page_obj


def invitations_of_program(program: Program, ids: Iterable[int]) -> list[ProgramInvitation]:
    return list(ProgramInvitation.objects.filter(program=program, pk__in=list(ids)))


def invitation_is_due(invitation: ProgramInvitation, now: datetime.datetime) -> bool:
    last_contact = invitation.reminded_at or invitation.invited_at
    return last_contact <= now - REMINDER_SPACING


@dataclass(frozen=True)
class ReminderBatch:
    reminded: list[ProgramInvitation]
    not_due: int  # emailed less than REMINDER_SPACING ago


def remind_invited(
    program: Program,
    *,
    invitation_ids: Iterable[int] | None = None,
    by=None,
    now: datetime.datetime | None = None,
) -> ReminderBatch:
    """Email a reminder to invited people who have not registered yet.

    Each person hears from us at most once per REMINDER_SPACING (counting the invitation
    itself), so the button can be pressed any number of times. With `invitation_ids`, only
    those invitations of this program are considered. Rows are locked so two managers pressing
    at once send one reminder.
    """
    _check_invitable(program)
    now = now or timezone.now()
    reminded: list[ProgramInvitation] = []
    not_due = 0
    context = {
        "program": program,
        "inviter_name": _inviter_name(by),
        "landing_url": landing_url(program),
    }
    with transaction.atomic():
        pending = pending_invitations(program)
        if invitation_ids is not None:
            pending = pending.filter(pk__in=list(invitation_ids))
        locked = ProgramInvitation.objects.select_for_update().filter(
            pk__in=list(pending.values_list("pk", flat=True))
        )
        for invitation in locked.select_related("person").order_by("pk"):
            if not invitation_is_due(invitation, now):
                not_due += 1
                continue
            invitation.reminded_at = now
            invitation.reminder_count += 1
            invitation.save(update_fields=["reminded_at", "reminder_count"])
            send_templated_email(
                "program_reminder",
                invitation.person.email,
                {
                    **context,
                    "first_name": invitation.person.first_name,
                    "invited_at": invitation.invited_at,
                    "role_label": Role(invitation.role).label.lower() if invitation.role else "",
                },
            )
            reminded.append(invitation)
    return ReminderBatch(reminded, not_due)
