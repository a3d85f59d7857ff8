"""Self-matching: a mentee sees recommended mentors and asks one (or a few, up to the
program's limit); the mentor accepts or declines with a note; requests expire.

A pending request holds one of the mentor's places, so a mentor is never promised to more
mentees than they have places. Every change to a mentor's places happens with that mentor's
participant row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so
when two mentees ask for the last place at the same moment exactly one succeeds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.matching import ScoreModel
from trellis.matching.explain import explain_pair
from trellis.mentorships.models import RUNNING, Mentorship
from trellis.notifications.services import send_templated_email
from trellis.programs.models import MatchingMode, Program, Role

from .inputs import load_inputs
from .models import MentorRequest, RequestStatus
from .services import MatchError

RECOMMENDATIONS = 5
# How much a mentor's outstanding demand (pending requests per free place) lowers their rank:
# popular mentors drift down the lists so that not everyone is shown the same few people.
DEMAND_PENALTY = 0.15
SELF_MODES = (MatchingMode.SELF,)


@dataclass(frozen=True)
class Recommendation:
    mentor: Participant
    score: float
    reasons: str
    contributions: dict
    free_places: int


def _pending(mentor_ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    for mentor_id in MentorRequest.objects.filter(
        mentor_id__in=list(mentor_ids),
        status=RequestStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).values_list("mentor_id", flat=True):
        counts[mentor_id] = counts.get(mentor_id, 0) + 1
    return counts


def _running(participant: Participant) -> bool:
    return Mentorship.objects.filter(mentee=participant, status__in=RUNNING).exists()


def recommendations(
    program: Program, mentee: Participant, *, limit: int = RECOMMENDATIONS
) -> list[Recommendation]:
    """The mentors this mentee could ask now, best first: never a forbidden pair, never a
    mentor whose places are all taken or held, popular mentors ranked down by their demand.
    A read: overdue requests no longer count here, and the next write marks them expired."""
    inputs = load_inputs(program, mentees=[mentee])
    if not inputs.mentors:
        return []
    asked = set(
        MentorRequest.objects.filter(
            mentee=mentee, status=RequestStatus.PENDING, expires_at__gt=timezone.now()
        ).values_list("mentor_id", flat=True)
    )
    pending = _pending(m.pk for m in inputs.mentors)
    model = ScoreModel(inputs.mentee_profiles, inputs.mentor_profiles, inputs.criteria)
    scores = np.asarray(model.block(np.array([0]))[0], dtype=float)
    allowed = inputs.allowed(np.array([0]))[0]
    ranked = []
    for j, mentor in enumerate(inputs.mentors):
        free = int(inputs.capacity[j]) - pending.get(mentor.pk, 0)
        if not allowed[j] or free <= 0 or mentor.pk in asked:
            continue
        demand = pending.get(mentor.pk, 0) / max(int(inputs.capacity[j]), 1)
        ranked.append((scores[j] - DEMAND_PENALTY * demand, mentor.pk, j, free))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    chosen = ranked[:limit]
    if not chosen:
        return []
    cols = np.array([j for _, _, j, _ in chosen])
    parts = model.parts(np.zeros(cols.size, dtype=np.int64), cols)
    out = []
    for _, _, j, free in chosen:
        explanation = explain_pair(
            inputs.mentee_profiles[0], inputs.mentor_profiles[j], parts, inputs.criteria, 0, j
        )
        out.append(
            Recommendation(
                mentor=inputs.mentors[j],
                score=explanation.score,
                reasons=explanation.sentence,
                contributions=explanation.contributions,
                free_places=free,
            )
        )
    return out


def _mentor_places(mentor: Participant, program: Program) -> int:
    """Free places of a (locked) mentor: capacity - running mentorships - pending requests."""
    running = Mentorship.objects.filter(mentor=mentor, status__in=RUNNING).count()
    held = MentorRequest.objects.filter(
        mentor=mentor, status=RequestStatus.PENDING, expires_at__gt=timezone.now()
    ).count()
    return (mentor.capacity or program.mentor_capacity) - running - held


def request_mentor(mentee: Participant, mentor: Participant, *, message: str = "") -> MentorRequest:
    program = mentee.program
    if program.matching_mode not in SELF_MODES:
        raise MatchError("In this program the program manager makes the matches.")
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise MatchError("Only a mentee can ask, and only a mentor.")
    if mentor.program_id != program.pk:
        raise MatchError("Choose a mentor of this program.")
    expire_overdue(program)
    # the pair's rules and score need no lock: they do not change with other requests
    inputs = load_inputs(program, mentees=[mentee])
    at = inputs.mentor_index()
    if mentor.pk in at and (0, at[mentor.pk]) in inputs.forbid_reasons:
        raise MatchError(
            f"You cannot ask {mentor.person}: {inputs.forbid_reasons[0, at[mentor.pk]]}."
        )
    score, reasons = None, ""
    if mentor.pk in at:
        j = at[mentor.pk]
        model = ScoreModel(inputs.mentee_profiles, inputs.mentor_profiles, inputs.criteria)
        parts = model.parts(np.array([0]), np.array([j]))
        explanation = explain_pair(
            inputs.mentee_profiles[0], inputs.mentor_profiles[j], parts, inputs.criteria, 0, j
        )
        score, reasons = explanation.score, explanation.sentence
    with transaction.atomic():
        # the mentor's row is the lock every change to their places takes
        mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
        mentee = Participant.objects.select_for_update().get(pk=mentee.pk)
        for who in (mentee, mentor):
            if who.status not in (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED):
                raise MatchError(f"{who.person} is not taking part in this program now.")
        if _running(mentee):
            raise MatchError("You already have a mentor in this program.")
        open_requests = MentorRequest.objects.filter(mentee=mentee, status=RequestStatus.PENDING)
        if open_requests.filter(mentor=mentor).exists():
            raise MatchError(f"You have already asked {mentor.person}.")
        if open_requests.count() >= program.request_limit:
            raise MatchError(
                f"You can have {program.request_limit} request(s) open at a time; wait for an "
                "answer or withdraw one."
            )
        if _mentor_places(mentor, program) <= 0:
            raise MatchError(f"{mentor.person} has no free place left; choose another mentor.")
        request = MentorRequest.objects.create(
            program=program,
            mentee=mentee,
            mentor=mentor,
            message=message.strip()[:2000],
            score=score,
            reasons=reasons,
            expires_at=timezone.now() + datetime.timedelta(days=program.request_expiry_days),
        )
    _notify(request, "received")
    return request


def answer_request(
    request: MentorRequest, *, person, accept: bool, note: str = ""
) -> MentorRequest:
    """The mentor accepts (a mentorship starts; the mentee's other requests are withdrawn) or
    declines with a note. An expired request can no longer be answered."""
    if request.mentor.person_id != person.pk:
        raise MatchError("Only the mentor asked can answer.")
    expire_overdue(request.program)  # an overdue request is marked (and the mentee told) first
    with transaction.atomic():
        # the same lock order as request_mentor: the mentor's row, then the mentee's
        mentor = Participant.objects.select_for_update().get(pk=request.mentor_id)
        mentee = Participant.objects.select_for_update().get(pk=request.mentee_id)
        request = MentorRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.PENDING:
            raise MatchError(f"This request is already {request.get_status_display().lower()}.")
        request.response = note.strip()[:1000]
        request.decided_at = timezone.now()
        others: list[MentorRequest] = []
        if accept:
            for who in (mentor, mentee):
                if who.status not in (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED):
                    raise MatchError(
                        f"{who.person} is not taking part now ({who.get_status_display().lower()})."
                    )
            if _running(mentee):
                raise MatchError("This mentee has found a mentor in the meantime.")
            request.status = RequestStatus.ACCEPTED
            request.save()
            Mentorship.objects.create(
                program=request.program,
                mentor=mentor,
                mentee=request.mentee,
                score=request.score,
                reasons=request.reasons,
                started_on=timezone.localdate(),
            )
            Participant.objects.filter(pk__in=[mentor.pk, request.mentee_id]).update(
                status=ParticipantStatus.MATCHED
            )
            others = list(
                MentorRequest.objects.filter(mentee=mentee, status=RequestStatus.PENDING)
                .exclude(pk=request.pk)
                .select_related("program", "mentee__person", "mentor__person")
            )
            MentorRequest.objects.filter(pk__in=[o.pk for o in others]).update(
                status=RequestStatus.WITHDRAWN, decided_at=request.decided_at
            )
        else:
            request.status = RequestStatus.DECLINED
            request.save()
    _notify(request, request.status)
    for other in others:  # the other mentors asked need not answer any more
        _notify(other, RequestStatus.WITHDRAWN)
    return request


def withdraw_request(request: MentorRequest, *, person) -> MentorRequest:
    with transaction.atomic():
        request = MentorRequest.objects.select_for_update().get(pk=request.pk)
        if request.mentee.person_id != person.pk:
            raise MatchError("Only the mentee who asked can withdraw the request.")
        if request.status != RequestStatus.PENDING:
            raise MatchError(f"This request is already {request.get_status_display().lower()}.")
        request.status = RequestStatus.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_at"])
    return request


def expire_overdue(program: Program | None = None, *, now: datetime.datetime | None = None) -> int:
    """Mark pending requests past their time as expired (their places are free again) and tell
    the mentees; returns how many. Runs before every read and from `trellis run-schedules`."""
    now = now or timezone.now()
    overdue = MentorRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now)
    if program is not None:
        overdue = overdue.filter(program=program)
    expired = []
    with transaction.atomic():
        for request in overdue.select_for_update().select_related(
            "program", "mentee__person", "mentor__person"
        ):
            request.status = RequestStatus.EXPIRED
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
            expired.append(request)
    for request in expired:
        _notify(request, RequestStatus.EXPIRED)
    return len(expired)


def _notify(request: MentorRequest, event: str) -> None:
    program = request.program
    base = settings.SITE_URL.rstrip("/")
    url = base + reverse("matches:find_mentor", args=[program.slug])
    if event in ("received", RequestStatus.WITHDRAWN):
        to, other = request.mentor.person, request.mentee.person
        url = base + reverse("matches:my_requests", args=[program.slug])
    else:
        to, other = request.mentee.person, request.mentor.person
    send_templated_email(
        "mentor_request",
        to.email,
        {
            "event": event,
            "first_name": to.first_name,
            "other_name": other.full_name,
            "program_name": program.name,
            "message": request.message,
            "response": request.response,
            "reasons": request.reasons,
            "expires_at": request.expires_at,
            "url": url,
        },
    )
