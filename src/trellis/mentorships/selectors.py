"""Reads of mentorships."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from .models import RUNNING, Mentorship


@dataclass(frozen=True)
class MyMentorship:
    mentorship: Mentorship
    partner: object  # the other person
    partner_role: str  # "mentor" or "mentee", the partner's role
    confirmed_by_me: bool = False  # hybrid proposals: this person has confirmed
    circle_mates: tuple = ()  # circles: the other members of the circle


def mentorships_of(person_id: int | None, program=None) -> list[MyMentorship]:
    """This person's running mentorships (in one program, or all), with the partner."""
    if not person_id:
        return []
    rows = Mentorship.objects.filter(
        Q(mentor__person_id=person_id) | Q(mentee__person_id=person_id),
        status__in=RUNNING,
    ).select_related(
        "program",
        "mentor__person__department",
        "mentee__person__department",
    )
    if program is not None:
        rows = rows.filter(program=program)
    out = []
    for m in rows:
        peer = m.mentor.role == "peer"
        if m.mentee.person_id == person_id:
            mates: tuple = ()
            if m.circle is not None:
                mates = tuple(
                    other.mentee.person
                    for other in Mentorship.objects.filter(
                        mentor=m.mentor, circle=m.circle, status__in=RUNNING
                    )
                    .exclude(pk=m.pk)
                    .select_related("mentee__person")
                )
            role = "peer" if peer else "circle leader" if m.circle is not None else "mentor"
            out.append(MyMentorship(m, m.mentor.person, role, bool(m.mentee_confirmed_at), mates))
        else:
            role = "peer" if peer else "circle member" if m.circle is not None else "mentee"
            out.append(MyMentorship(m, m.mentee.person, role, bool(m.mentor_confirmed_at)))
    return out


@dataclass(frozen=True)
class Waiting:
    text: str
    url: str


def my_mentoring(person_id: int | None) -> dict:
    """The participant's home: running mentorships with their next meeting, and what is
    waiting for them (surveys to answer, meetings to rate, requests to answer)."""
    from django.urls import reverse
    from django.utils import timezone

    from trellis.matches.models import MentorRequest, RequestStatus

    from .models import (
        Goal,
        GoalStatus,
        Meeting,
        MeetingFeedback,
        MeetingStatus,
        SurveyResponse,
        SurveyStatus,
    )

    if not person_id:
        return {"mentorships": [], "waiting": []}
    now = timezone.now()
    mine = mentorships_of(person_id)
    upcoming = {}
    for meeting in Meeting.objects.filter(
        mentorship__in=[m.mentorship for m in mine],
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=now,
    ).order_by("starts_at"):
        upcoming.setdefault(meeting.mentorship_id, meeting)
    goals: dict[int, list] = {}
    for goal in Goal.objects.filter(
        mentorship__in=[m.mentorship for m in mine], status=GoalStatus.ACTIVE
    ):
        goals.setdefault(goal.mentorship_id, []).append(goal)
    cards = [
        {
            "mine": m,
            "next": upcoming.get(m.mentorship.pk),
            "goals": goals.get(m.mentorship.pk, []),
        }
        for m in mine
    ]
    waiting: list[Waiting] = []
    for response in SurveyResponse.objects.filter(
        participant__person_id=person_id, status=SurveyStatus.OPEN, closes_at__gt=now
    ).select_related("mentorship__program"):
        waiting.append(
            Waiting(
                f"Answer “{response.title}” ({response.mentorship.program.name})",
                reverse("mentorships:survey", args=[response.mentorship.program.slug, response.pk]),
            )
        )
    rated = set(
        MeetingFeedback.objects.filter(participant__person_id=person_id).values_list(
            "meeting_id", flat=True
        )
    )
    running = {m.mentorship.pk: m for m in mine if m.mentorship.status == "active"}
    for meeting in (
        Meeting.objects.filter(
            mentorship__in=list(running),
            starts_at__lte=now,
            starts_at__gte=now - datetime.timedelta(days=30),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk__in=rated)
        .order_by("starts_at")
    ):
        if meeting.ends_at > now:
            continue
        m = running[meeting.mentorship_id]
        waiting.append(
            Waiting(
                f"Rate your meeting of {timezone.localtime(meeting.starts_at):%-d %B} "
                f"with {m.partner}",
                reverse("mentorships:workspace", args=[m.mentorship.program.slug, m.mentorship.pk]),
            )
        )
    for request in MentorRequest.objects.filter(
        mentor__person_id=person_id, status=RequestStatus.PENDING, expires_at__gt=now
    ).select_related("program", "mentee__person"):
        waiting.append(
            Waiting(
                f"Answer {request.mentee.person}'s request ({request.program.name})",
                reverse("matches:my_requests", args=[request.program.slug]),
            )
        )
    return {"mentorships": cards, "waiting": waiting}
