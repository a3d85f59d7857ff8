"""Meetings of a pair: schedule (both get a calendar invitation), reschedule (an update of the
same event), cancel, log one that already happened, rate it privately, keep notes; and the
pair's health as managers see it."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from trellis.enrolment.models import Participant
from trellis.notifications.services import send_templated_email

from .calendar import meeting_invitation
from .models import (
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    Mentorship,
    MentorshipStatus,
    PrivateNote,
    RematchRequest,
    RematchStatus,
    SurveyResponse,
)

CADENCE_DAYS = {"weekly": 7, "every_two_weeks": 14, "monthly": 30}
MIN_MINUTES, MAX_MINUTES = 15, 240


class MeetingError(Exception):
    """A meeting action that cannot be done, with the reason in words."""


def cadence(program) -> datetime.timedelta:
    """How often the program wants pairs to meet."""
    return datetime.timedelta(days=CADENCE_DAYS.get(program.meeting_cadence, 14))


def taken_place(now: datetime.datetime, prefix: str = "") -> Q:
    """Meetings that have taken place by `now` (held, or booked for a time now past; never
    cancelled), as a filter on Meeting or, with prefix "meetings__", on Mentorship."""
    return Q(**{f"{prefix}starts_at__lte": now}) & ~Q(
        **{f"{prefix}status": MeetingStatus.CANCELLED}
    )


def last_contact(started_on: datetime.date, last_meeting: datetime.datetime | None):
    """The last meeting, or the match itself (its first day) for a pair that never met."""
    return last_meeting or datetime.datetime.combine(
        started_on, datetime.time(), tzinfo=datetime.UTC
    )


def side_of(mentorship: Mentorship, person) -> Participant:
    """The person's participant row in this pair, or MeetingError."""
    if person is not None and person.pk == mentorship.mentee.person_id:
        return mentorship.mentee
    if person is not None and person.pk == mentorship.mentor.person_id:
        return mentorship.mentor
    raise MeetingError("Only the mentor and the mentee of this pair can do this.")


def _check_times(starts_at: datetime.datetime, minutes: int) -> None:
    if timezone.is_naive(starts_at):
        raise MeetingError("The meeting time needs a time zone.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise MeetingError(f"A meeting lasts {MIN_MINUTES} to {MAX_MINUTES} minutes.")


def _running(mentorship: Mentorship) -> None:
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MeetingError("This mentorship is not running, so it has no new meetings.")


def schedule_meeting(
    mentorship: Mentorship,
    *,
    person,
    starts_at: datetime.datetime,
    duration_minutes: int = 45,
    place: str = "",
    agenda: str = "",
) -> Meeting:
    """A meeting in the future; both people get an invitation they can add to their calendar."""
    side_of(mentorship, person)
    _running(mentorship)
    _check_times(starts_at, duration_minutes)
    if starts_at <= timezone.now():
        raise MeetingError("Choose a time in the future, or log a meeting that already happened.")
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip()[:500],
        agenda=agenda.strip()[:4000],
        uid=f"{uuid.uuid4()}@trellis",
        organizer=person,
    )
    _invite(meeting, "scheduled")
    return meeting


def log_meeting(
    mentorship: Mentorship,
    *,
    person,
    starts_at: datetime.datetime,
    duration_minutes: int = 45,
    notes: str = "",
) -> Meeting:
    """A meeting that already happened (no invitation)."""
    side_of(mentorship, person)
    _running(mentorship)
    _check_times(starts_at, duration_minutes)
    if starts_at > timezone.now():
        raise MeetingError("A logged meeting is one that already happened; schedule future ones.")
    return Meeting.objects.create(
        mentorship=mentorship,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        shared_notes=notes.strip()[:20000],
        status=MeetingStatus.HELD,
        uid=f"{uuid.uuid4()}@trellis",
        organizer=person,
    )


def reschedule_meeting(
    meeting: Meeting,
    *,
    person,
    starts_at: datetime.datetime,
    duration_minutes: int | None = None,
    place: str | None = None,
    agenda: str | None = None,
) -> Meeting:
    """Move or change a scheduled meeting: an update of the same calendar event (same UID,
    higher SEQUENCE)."""
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update().select_related("mentorship").get(pk=meeting.pk)
        )
        side_of(meeting.mentorship, person)
        _running(meeting.mentorship)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingError("Only a scheduled meeting can be changed.")
        minutes = meeting.duration_minutes if duration_minutes is None else duration_minutes
        _check_times(starts_at, minutes)
        if starts_at <= timezone.now():
            raise MeetingError("Choose a time in the future.")
        meeting.starts_at = starts_at
        meeting.duration_minutes = minutes
        if place is not None:
            meeting.place = place.strip()[:500]
        if agenda is not None:
            meeting.agenda = agenda.strip()[:4000]
        meeting.sequence += 1
        meeting.save()
    _invite(meeting, "updated")
    return meeting


def cancel_future_meetings(mentorship: Mentorship) -> int:
    """A mentorship that ends takes its booked meetings out of both calendars."""
    cancelled = 0
    for meeting in mentorship.meetings.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    ):
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.CANCELLED, sequence=meeting.sequence + 1
        )
        meeting.refresh_from_db()
        _invite(meeting, "cancelled")
        cancelled += 1
    return cancelled


def cancel_meeting(meeting: Meeting, *, person) -> Meeting:
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update().select_related("mentorship").get(pk=meeting.pk)
        )
        side_of(meeting.mentorship, person)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise MeetingError("Only a scheduled meeting can be cancelled.")
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
    _invite(meeting, "cancelled")
    return meeting


def rate_meeting(meeting: Meeting, *, person, rating: int, comment: str = "") -> MeetingFeedback:
    """One's own rating of a meeting that has taken place, 1 to 4 (changeable). Private."""
    participant = side_of(meeting.mentorship, person)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("A cancelled meeting cannot be rated.")
    if meeting.ends_at > timezone.now():
        raise MeetingError("Rate a meeting once it has taken place.")
    if rating not in (1, 2, 3, 4):
        raise MeetingError("Rate the meeting from 1 (poor) to 4 (excellent).")
    with transaction.atomic():
        if meeting.status == MeetingStatus.SCHEDULED:
            Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
        feedback, _ = MeetingFeedback.objects.update_or_create(
            meeting=meeting,
            participant=participant,
            defaults={"rating": rating, "comment": comment.strip()[:2000]},
        )
    return feedback


def save_notes(meeting: Meeting, *, person, shared: str | None = None, private: str | None = None):
    participant = side_of(meeting.mentorship, person)
    if shared is not None:
        Meeting.objects.filter(pk=meeting.pk).update(shared_notes=shared.strip()[:20000])
    if private is not None:
        PrivateNote.objects.update_or_create(
            meeting=meeting, participant=participant, defaults={"text": private.strip()[:20000]}
        )


def local_time(moment: datetime.datetime, person) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(person.effective_time_zone))


def _invite(meeting: Meeting, event: str) -> None:
    mentorship = meeting.mentorship
    method = "CANCEL" if event == "cancelled" else "REQUEST"
    ics = meeting_invitation(meeting, method=method)
    url = settings.SITE_URL.rstrip("/") + reverse(
        "mentorships:workspace", args=[mentorship.program.slug, mentorship.pk]
    )
    mentee, mentor = mentorship.mentee.person, mentorship.mentor.person
    for me, other in ((mentee, mentor), (mentor, mentee)):
        send_templated_email(
            "meeting_invitation",
            me.email,
            {
                "event": event,
                "first_name": me.first_name,
                "other_name": other.full_name,
                "program_name": mentorship.program.name,
                "my_time": local_time(meeting.starts_at, me),
                "my_zone": me.effective_time_zone,
                "other_time": local_time(meeting.starts_at, other),
                "other_zone": other.effective_time_zone,
                "duration": meeting.duration_minutes,
                "place": meeting.place,
                "agenda": meeting.agenda,
                "url": url,
            },
            calendar={"ics": ics, "method": method},
        )


# ----------------------------------------------------------------------------- pair health


@dataclass(frozen=True)
class PairHealth:
    mentorship: Mentorship
    meetings_held: int
    last_meeting: datetime.datetime | None
    next_meeting: datetime.datetime | None
    ratings: int
    average_rating: float | None
    flags: tuple[str, ...]

    @property
    def at_risk(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class AtRisk:
    """The running pairs of a program that each at-risk rule flags (mentorship ids)."""

    running: int
    not_meeting: set[int]  # no meeting for twice the cadence (since the match, if never)
    low_ratings: set[int]  # meetings average 2 or less out of 4
    unfit: set[int]  # said after the first meeting that it is not a good fit
    asking: set[int]  # someone asked for a new match

    @property
    def flagged(self) -> set[int]:
        return self.not_meeting | self.low_ratings | self.unfit | self.asking


def pairs_at_risk(program, *, now: datetime.datetime | None = None) -> AtRisk:
    """The at-risk rules, a query or two each whatever the number of pairs and meetings: a running
    pair is at risk when it has not met for twice the program's cadence (counted from the
    day of the match when it never met), when its meetings average 2 or less out of 4, when
    either person said after the first meeting that it is not a good fit, or when either
    asked for a new match."""
    from .surveys import (
        answers_say_bad_fit,
    )  # surveys imports this module's neighbours, not this one

    now = now or timezone.now()
    cutoff = now - 2 * cadence(program)
    running = Mentorship.objects.filter(program=program, status=MentorshipStatus.ACTIVE).order_by()
    met = Meeting.objects.filter(taken_place(now), mentorship=OuterRef("pk"))
    # A pair that never met counts from midnight (UTC) of its first day: before the cutoff
    # when that day is on or before the last day starting before it.
    last_start_day = (cutoff.astimezone(datetime.UTC) - datetime.timedelta(microseconds=1)).date()
    # Two index-driven queries: the running pairs with no meeting since the cutoff, then,
    # among those matched after it, the ones that have met (an OR with Exists here makes the
    # database hash every meeting of every program).
    quiet = dict(
        running.filter(~Exists(met.filter(starts_at__gte=cutoff))).values_list("pk", "started_on")
    )
    recent = [pk for pk, started in quiet.items() if started > last_start_day]
    not_meeting = set(quiet) - set(recent)
    if recent:
        not_meeting |= set(
            Mentorship.objects.filter(pk__in=recent)
            .filter(Exists(met))
            .values_list("pk", flat=True)
        )
    low_ratings = set(
        MeetingFeedback.objects.filter(mentorship__in=running)
        .values("mentorship")
        .annotate(average=Avg("rating"))
        .filter(average__lte=2)
        .values_list("mentorship", flat=True)
    )
    unfit = {
        pk
        for pk, questions, answers in SurveyResponse.objects.filter(
            mentorship__in=running, kind="first_meeting_fit", status="answered"
        )
        .order_by()
        .values_list("mentorship_id", "questions", "answers")
        if answers_say_bad_fit(questions, answers)
    }
    asking = set(
        RematchRequest.objects.filter(mentorship__in=running, status=RematchStatus.OPEN)
        .order_by()
        .values_list("mentorship_id", flat=True)
    )
    return AtRisk(running.count(), not_meeting, low_ratings, unfit, asking)


def pair_flags(
    mentorship: Mentorship,
    risk: AtRisk,
    *,
    last_meeting: datetime.datetime | None,
    average_rating: float | None,
    now: datetime.datetime,
    rhythm: datetime.timedelta,
) -> tuple[str, ...]:
    """The at-risk rules that flag this pair (see `pairs_at_risk`), in words."""
    flags = []
    if mentorship.pk in risk.not_meeting:
        days = (now - last_contact(mentorship.started_on, last_meeting)).days
        flags.append(
            f"no meeting for {days} days (cadence {rhythm.days} days)"
            if last_meeting
            else f"no meeting yet, {days} days after the match"
        )
    if mentorship.pk in risk.low_ratings and average_rating is not None:
        shown = Decimal(str(average_rating)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        flags.append(f"meetings rated {shown} of 4 on average")  # as the page rounds
    if mentorship.pk in risk.unfit:
        flags.append("said after the first meeting that it is not a good fit")
    if mentorship.pk in risk.asking:
        flags.append("a new match was asked for")
    return tuple(flags)


def pair_health(program, *, now: datetime.datetime | None = None) -> list[PairHealth]:
    """Every running pair of a program with its signals, pairs at risk first (the rules are
    `pairs_at_risk`')."""
    now = now or timezone.now()
    rhythm = cadence(program)
    held = taken_place(now, "meetings__")
    rows = (
        Mentorship.objects.filter(program=program, status=MentorshipStatus.ACTIVE)
        .select_related("mentor__person", "mentee__person")
        .annotate(
            held=Count("meetings", filter=held, distinct=True),
            last=Max("meetings__starts_at", filter=held),
            upcoming=Max(
                "meetings__starts_at",
                filter=Q(meetings__status=MeetingStatus.SCHEDULED, meetings__starts_at__gt=now),
            ),
        )
    )
    ratings = {
        row["meeting__mentorship"]: (row["n"], float(row["avg"]))
        for row in MeetingFeedback.objects.filter(
            meeting__mentorship__program=program,
            meeting__mentorship__status=MentorshipStatus.ACTIVE,
        )
        .values("meeting__mentorship")
        .annotate(n=Count("pk"), avg=Avg("rating"))
    }
    risk = pairs_at_risk(program, now=now)
    out = []
    for m in rows:
        n, average = ratings.get(m.pk, (0, None))
        out.append(
            PairHealth(
                mentorship=m,
                meetings_held=m.held,
                last_meeting=m.last,
                next_meeting=m.upcoming,
                ratings=n,
                average_rating=average,
                flags=pair_flags(
                    m, risk, last_meeting=m.last, average_rating=average, now=now, rhythm=rhythm
                ),
            )
        )
    out.sort(key=lambda h: (not h.at_risk, h.mentorship.mentee.person.last_name, h.mentorship.pk))
    return out
