"""Enrolment actions: who may join a program, registering, approval, the waitlist, withdrawal.

The waitlist keeps one invariant, re-established after every action that changes it: the
mentees holding a place (approved or matched) never outnumber the places offered by approved
and matched mentors, and nobody waits while a place is free. Places go first come, first served
by registration time. When places shrink (a mentor withdraws or is declined), the mentees who
registered last and are not yet matched go back to the waitlist; matched mentees keep their
status, since their mentorship is handled where matches are. Every affected person is emailed.
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from trellis.notifications.services import send_templated_email
from trellis.people.models import Person, Skill
from trellis.people.services import resolve_skills
from trellis.programs.models import Program, ProgramModel, QuestionKind, Role, Status

from .models import Participant, ParticipantStatus
from .selectors import registration_questions

# Statuses that hold a mentor's places or a mentee's place.
HOLDING_STATUSES = (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED)
# Statuses of someone still taking part (or waiting to).
ACTIVE_STATUSES = (
    ParticipantStatus.APPLIED,
    ParticipantStatus.APPROVED,
    ParticipantStatus.WAITLISTED,
    ParticipantStatus.MATCHED,
)
WITHDRAWAL_REASON_MAX_LENGTH = Participant._meta.get_field("withdrawal_reason").max_length


class EnrolmentError(Exception):
    """A registration or decision cannot go ahead; the message says why and what to do."""

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.reasons = reasons or [message]


def offered_roles(program: Program) -> list[str]:
    """Roles a person can register in: peers in peer programs, mentors and mentees otherwise."""
    if program.has_mentor_role:
        return [Role.MENTOR, Role.MENTEE]
    return [Role.PEER]


def role_label(role: str) -> str:
    return Role(role).label.lower()


# --- Eligibility and the enrolment window -------------------------------------------------------


def tenure_months(hire_date: datetime.date, today: datetime.date) -> int:
    """Whole months of service on `today` (0 before the hire date)."""
    months = (today.year - hire_date.year) * 12 + today.month - hire_date.month
    if today.day < hire_date.day:
        months -= 1
    return max(months, 0)


def describe_months(months: int) -> str:
    """ "2 years", "1 year and 6 months", "8 months"."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def _scope_reason(allowed: list, current, what: str) -> str:
    """Why a person is outside the program's departments or locations ("" when inside)."""
    if not allowed or (current is not None and current.pk in {item.pk for item in allowed}):
        return ""
    names = " or ".join(item.name for item in allowed)
    if current is None:
        where = f"the directory has no {what} for you"
    else:
        where = f"the directory has you in {current.name}"
    return f"This program is open to people in {names} only; {where}."


def check_eligibility(
    program: Program, person: Person, role: str, *, today: datetime.date | None = None
) -> list[str]:
    """Why `person` may not register in `role` (an empty list: they may).

    The reasons are written for the person themselves and say what the rule is.
    """
    today = today or timezone.localdate()
    if role not in offered_roles(program):
        return [f"This program has no {role_label(role)} role."]
    reasons: list[str] = []
    if not person.is_active:
        reasons.append(
            "The directory lists you as no longer with the organisation, so you cannot join "
            "programs. Ask your administrator if this is wrong."
        )
    if role == Role.MENTOR:
        minimum = program.mentor_min_level
        if minimum is not None:
            if person.level is None:
                reasons.append(
                    f"Mentors need level {minimum} or above, and the directory has no level "
                    "for you. Ask your administrator to record it."
                )
            elif person.level < minimum:
                reasons.append(
                    f"Mentors need level {minimum} or above; the directory has you at level "
                    f"{person.level}."
                )
        minimum_months = program.mentor_min_tenure_months
        if minimum_months:
            if person.hire_date is None:
                reasons.append(
                    f"Mentors need at least {describe_months(minimum_months)} with the "
                    "organisation, and the directory has no hire date for you. Ask your "
                    "administrator to record it."
                )
            else:
                months = tenure_months(person.hire_date, today)
                if months < minimum_months:
                    reasons.append(
                        f"Mentors need at least {describe_months(minimum_months)} with the "
                        f"organisation; you have {describe_months(months)}."
                    )
    if role == Role.MENTEE and program.mentee_max_level is not None:
        maximum = program.mentee_max_level
        if person.level is None:
            reasons.append(
                f"Mentees are at level {maximum} or below, and the directory has no level for "
                "you. Ask your administrator to record it."
            )
        elif person.level > maximum:
            reasons.append(
                f"Mentees are at level {maximum} or below; the directory has you at level "
                f"{person.level}."
            )
    for reason in (
        _scope_reason(list(program.eligible_departments.all()), person.department, "department"),
        _scope_reason(list(program.eligible_locations.all()), person.location, "location"),
    ):
        if reason:
            reasons.append(reason)

    registrations = {p.role: p for p in Participant.objects.filter(program=program, person=person)}
    existing = registrations.get(role)
    if existing is not None and existing.is_active:
        reasons.append(
            f"You are already registered as a {role_label(role)} "
            f"({existing.get_status_display().lower()})."
        )
    elif existing is not None and existing.status == ParticipantStatus.DECLINED:
        reasons.append(
            f"A program manager declined your registration as a {role_label(role)}. Ask the "
            "program's managers if you think this is a mistake."
        )
    others = [p for r, p in registrations.items() if r != role and p.is_active]
    if others and not program.allow_both_roles:
        reasons.append(
            f"You are already registered as a {role_label(others[0].role)}, and in this program "
            "each person takes one role."
        )
    return reasons


def enrolment_closed_reason(program: Program, today: datetime.date | None = None) -> str:
    """Why registration is closed today, or "" when it is open.

    Cohort programs take registrations while enrolling and within their window (both ends
    included); evergreen programs from the moment enrolment opens until they close.
    """
    today = today or timezone.localdate()
    if program.status == Status.DRAFT:
        return "Registration for this program has not opened yet."
    if program.status == Status.CLOSED:
        return "This program has ended and no longer takes registrations."
    if program.model == ProgramModel.EVERGREEN:
        return ""
    if program.status != Status.ENROLLING:
        return "Registration for this program has closed: the cohort is under way."
    opens, closes = program.enrolment_opens_on, program.enrolment_closes_on
    if opens is not None and today < opens:
        return f"Registration opens on {date_format(opens, 'j F Y')}."
    if closes is not None and today > closes:
        return f"Registration closed on {date_format(closes, 'j F Y')}."
    return ""


def is_enrolment_open(program: Program, today: datetime.date | None = None) -> bool:
    return not enrolment_closed_reason(program, today)


# --- Capacity and the waitlist ------------------------------------------------------------------


class SupplyAndDemand(NamedTuple):
    """Mentor places on offer against mentees wanting one (applied, waiting, in or matched)."""

    mentor_slots: int
    mentees_wanting: int

    @property
    def shortfall(self) -> int:
        return max(self.mentees_wanting - self.mentor_slots, 0)


def _mentor_places(program: Program) -> Coalesce:
    """Aggregate: places offered by approved and matched mentors (their own capacity, or the
    program's default when they set none)."""
    return Coalesce(
        Sum(
            Coalesce("capacity", Value(program.mentor_capacity)),
            filter=Q(role=Role.MENTOR, status__in=HOLDING_STATUSES),
        ),
        0,
    )


def supply_and_demand_ratio(program: Program) -> SupplyAndDemand:
    """(mentor places of approved and matched mentors, active mentees), in one query."""
    figures = Participant.objects.filter(program=program).aggregate(
        slots=_mentor_places(program),
        wanting=Count("pk", filter=Q(role=Role.MENTEE, status__in=ACTIVE_STATUSES)),
    )
    return SupplyAndDemand(figures["slots"], figures["wanting"])


def _free_places(program: Program) -> int:
    """Mentor places minus mentees holding one (negative when over-subscribed)."""
    figures = Participant.objects.filter(program=program).aggregate(
        slots=_mentor_places(program),
        holding=Count("pk", filter=Q(role=Role.MENTEE, status__in=HOLDING_STATUSES)),
    )
    return figures["slots"] - figures["holding"]


@dataclass
class Rebalance:
    promoted: list[Participant] = field(default_factory=list)
    demoted: list[Participant] = field(default_factory=list)


def _lock_program(program: Program) -> Program:
    """Serialise capacity decisions for one program (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already serialise writers)."""
    return Program.objects.select_for_update().get(pk=program.pk)


def _rebalance(program: Program) -> Rebalance:
    """Re-establish the waitlist invariant; the caller holds the program's lock."""
    result = Rebalance()
    if not program.has_mentor_role:
        return result
    free = _free_places(program)
    if free < 0:
        latest = Participant.objects.select_for_update().filter(
            program=program, role=Role.MENTEE, status=ParticipantStatus.APPROVED
        )
        for participant in latest.select_related("person").order_by("-applied_at", "-pk")[:-free]:
            participant.status = ParticipantStatus.WAITLISTED
            participant.save(update_fields=["status", "updated_at"])
            result.demoted.append(participant)
    elif free > 0:
        waiting = Participant.objects.select_for_update().filter(
            program=program, role=Role.MENTEE, status=ParticipantStatus.WAITLISTED
        )
        for participant in waiting.select_related("person").order_by("applied_at", "pk")[:free]:
            participant.status = ParticipantStatus.APPROVED
            participant.save(update_fields=["status", "updated_at"])
            result.promoted.append(participant)
    return result


def promote_waitlisted(program: Program) -> list[Participant]:
    """Give free mentor places to waitlisted mentees, first come first served; email them."""
    with transaction.atomic():
        program = _lock_program(program)
        changes = _rebalance(program)
        _notify_changes(program, changes)
    return changes.promoted


# --- Registering --------------------------------------------------------------------------------


def _mentor_capacity(program: Program, role: str, capacity: int | None) -> int | None:
    if role != Role.MENTOR:
        return None
    if capacity is None:
        return program.mentor_capacity
    if not 1 <= capacity <= program.mentor_capacity:
        raise EnrolmentError(
            f"Choose how many mentees you can take: from 1 to {program.mentor_capacity}."
        )
    return capacity


def _stored_answers(program: Program, role: str, answers: dict) -> dict:
    """Answers keyed by question id string, for this role's questions only.

    Skills answers are lists of skill ids; a name (string) in one is resolved through aliases,
    and an unknown name joins the taxonomy, as on the profile page.
    """
    questions = {str(q.pk): q for q in registration_questions(program, role)}
    stored: dict = {}
    for key, value in answers.items():
        question = questions.get(str(key))
        if question is None or value is None:
            continue
        if question.kind == QuestionKind.SKILLS:
            if not isinstance(value, list):
                continue
            ids = [item for item in value if isinstance(item, int)]
            names = [item for item in value if isinstance(item, str)]
            known = set(Skill.objects.filter(pk__in=ids).values_list("pk", flat=True))
            resolved = [skill.pk for skill in resolve_skills(names)] if names else []
            value = list(dict.fromkeys([i for i in ids if i in known] + resolved))
        stored[str(key)] = value
    return stored


def enrol_participant(
    program: Program,
    person: Person,
    role: str,
    answers: dict,
    *,
    capacity: int | None = None,
    consented: bool,
    today: datetime.date | None = None,
) -> Participant:
    """Register `person` in `role` with their validated answers (see enrolment.forms).

    The new status: applied when the program requires approval; otherwise approved, or
    waitlisted for a mentee when every mentor place is taken. Someone who withdrew earlier
    registers again on the same row, at the back of the queue. Raises EnrolmentError when
    registration is closed, the person is not eligible, or consent is missing.
    """
    with transaction.atomic():
        program = _lock_program(program)
        closed = enrolment_closed_reason(program, today)
        if closed:
            raise EnrolmentError(closed)
        reasons = check_eligibility(program, person, role, today=today)
        if reasons:
            raise EnrolmentError(" ".join(reasons), reasons)
        if program.consent_text and not consented:
            raise EnrolmentError("To join, please read the program's terms and agree to them.")
        now = timezone.now()
        participant = (
            Participant.objects.select_for_update()
            .filter(program=program, person=person, role=role)
            .first()
        )
        if participant is None:
            participant = Participant(program=program, person=person, role=role)
        else:  # a withdrawn registration, brought back
            participant.applied_at = now
            participant.decided_at = None
            participant.decided_by = None
            participant.withdrawn_at = None
            participant.withdrawal_reason = ""
        participant.capacity = _mentor_capacity(program, role, capacity)
        participant.answers = _stored_answers(program, role, answers)
        participant.consented_at = now if consented else None
        if program.requires_approval:
            participant.status = ParticipantStatus.APPLIED
        elif role == Role.MENTEE and program.has_mentor_role:
            # Queued, then given a place by the rebalance below if one is free.
            participant.status = ParticipantStatus.WAITLISTED
        else:
            participant.status = ParticipantStatus.APPROVED
        participant.save()
        changes = _rebalance(program)
        participant.refresh_from_db(fields=["status"])
        _notify(participant, "registered")
        changes.promoted = [p for p in changes.promoted if p.pk != participant.pk]
        _notify_changes(program, changes)
    return participant


# --- Program managers' decisions ----------------------------------------------------------------


@dataclass
class Decision:
    """What a bulk decision did: who got a place, who waits, and who was left as they were."""

    approved: list[Participant] = field(default_factory=list)
    waitlisted: list[Participant] = field(default_factory=list)
    declined: list[Participant] = field(default_factory=list)
    skipped: list[Participant] = field(default_factory=list)


def _decidable(program: Program, participants) -> list[Participant]:
    ids = [p.pk for p in participants]
    return list(
        Participant.objects.select_for_update()
        .filter(program=program, pk__in=ids)
        .select_related("person")
        .order_by("applied_at", "pk")
    )


def _has_other_active_role(participant: Participant) -> bool:
    others = Participant.objects.filter(
        program_id=participant.program_id, person_id=participant.person_id
    ).exclude(pk=participant.pk)
    return others.filter(status__in=ACTIVE_STATUSES).exists()


def approve_participants(program: Program, participants, *, by) -> Decision:
    """Approve applications (or reverse a decline). Mentors and peers are approved; mentees get
    a place if one is free and otherwise wait for one, by registration time.

    Only applied or declined registrations are decided; the others are reported as skipped.
    """
    result = Decision()
    with transaction.atomic():
        program = _lock_program(program)
        now = timezone.now()
        decided: list[Participant] = []
        for participant in _decidable(program, participants):
            if participant.status not in (ParticipantStatus.APPLIED, ParticipantStatus.DECLINED):
                result.skipped.append(participant)
                continue
            if (
                participant.status == ParticipantStatus.DECLINED
                and not program.allow_both_roles
                and _has_other_active_role(participant)
            ):
                # Reversing a decline must not give someone two roles where one is the rule.
                result.skipped.append(participant)
                continue
            if participant.role == Role.MENTEE and program.has_mentor_role:
                participant.status = ParticipantStatus.WAITLISTED
            else:
                participant.status = ParticipantStatus.APPROVED
            participant.decided_at = now
            participant.decided_by = by
            participant.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
            decided.append(participant)
        changes = _rebalance(program)
        promoted_ids = {p.pk for p in changes.promoted}
        decided_ids = {p.pk for p in decided}
        for participant in decided:
            if participant.pk in promoted_ids:
                participant.status = ParticipantStatus.APPROVED
            bucket = (
                result.approved
                if participant.status == ParticipantStatus.APPROVED
                else result.waitlisted
            )
            bucket.append(participant)
            _notify(participant, "decided")
        changes.promoted = [p for p in changes.promoted if p.pk not in decided_ids]
        _notify_changes(program, changes)
    return result


def decline_participants(program: Program, participants, *, by) -> Decision:
    """Decline registrations that are applied, waitlisted or approved but not yet matched.

    A declined mentor's places are gone, so mentees may go back to the waitlist; a declined
    mentee's place goes to the first one waiting.
    """
    result = Decision()
    declinable = (
        ParticipantStatus.APPLIED,
        ParticipantStatus.WAITLISTED,
        ParticipantStatus.APPROVED,
    )
    with transaction.atomic():
        program = _lock_program(program)
        now = timezone.now()
        for participant in _decidable(program, participants):
            if participant.status not in declinable:
                result.skipped.append(participant)
                continue
            participant.status = ParticipantStatus.DECLINED
            participant.decided_at = now
            participant.decided_by = by
            participant.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
            result.declined.append(participant)
        _notify_changes(program, _rebalance(program))
    return result


def withdraw_participant(participant: Participant, *, reason: str = "") -> Participant:
    """A participant leaves the program (they may register again while it is open).

    A mentee's place goes to the first one waiting. A mentor's places go with them: if the
    remaining places no longer cover the approved mentees, those who registered last and are
    not yet matched go back to the waitlist and are told so.
    """
    with transaction.atomic():
        program = _lock_program(participant.program)
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        if not current.is_active:
            raise EnrolmentError(
                f"This registration is already {current.get_status_display().lower()}."
            )
        current.status = ParticipantStatus.WITHDRAWN
        current.withdrawn_at = timezone.now()
        current.withdrawal_reason = reason.strip()[:WITHDRAWAL_REASON_MAX_LENGTH]
        current.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
        # running or proposed mentorships end and open mentoring requests are withdrawn, so
        # that nobody holds a place or a partner for someone who has left
        from trellis.matches.services import release_participant

        release_participant(current)
        _notify_changes(program, _rebalance(program))
    participant.refresh_from_db()
    return participant


# --- Emails -------------------------------------------------------------------------------------


def _notify(participant: Participant, event: str) -> None:
    """Tell the person their registration's status.

    event: "registered" (they just registered), "decided" (a program manager approved it),
    "promoted" (a place opened), "demoted" (a mentor left, so they wait again).
    """
    program = participant.program
    person = participant.person
    send_templated_email(
        "enrolment_confirmed",
        person.email,
        {
            "first_name": person.first_name,
            "program_name": program.name,
            "role": role_label(participant.role),
            "status": participant.status,
            "event": event,
            "requires_approval": program.requires_approval,
            "program_url": settings.SITE_URL + reverse("programs:landing", args=[program.slug]),
            "registration_url": settings.SITE_URL + reverse("enrolment:join", args=[program.slug]),
        },
    )


def _notify_changes(program: Program, changes: Rebalance) -> None:
    for participant in changes.promoted:
        participant.program = program
        _notify(participant, "promoted")
    for participant in changes.demoted:
        participant.program = program
        _notify(participant, "demoted")
