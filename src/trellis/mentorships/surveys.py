"""Surveys of a mentorship (first-meeting fit, midpoint or periodic check-in, end of program),
from the program's survey definitions, and the weekly digest that carries every reminder.

Everything here runs from `trellis run-schedules` and is idempotent: a survey is opened once
per person and round (a unique constraint), and each reminder is sent once (a Reminder row per
person and key), however often the schedule runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from trellis.enrolment.models import Participant
from trellis.notifications.services import send_templated_email

from .meetings import cadence, last_contact, local_time, taken_place
from .models import (
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    Mentorship,
    MentorshipStatus,
    Reminder,
    SurveyResponse,
    SurveyStatus,
)

DAYS_OPEN = 14
EVERGREEN_CHECK_IN_WEEKS = 12  # when an evergreen program defines a midpoint but no period


class SurveyError(Exception):
    """Answers that cannot be accepted, with the reasons in words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def definition(program, kind: str) -> dict | None:
    return next((s for s in program.surveys or [] if s.get("kind") == kind), None)


def _url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def open_survey(
    mentorship: Mentorship,
    participant: Participant,
    kind: str,
    *,
    round: int = 0,
    now: datetime.datetime | None = None,
) -> SurveyResponse | None:
    """Open the program's survey of this kind for one person, once; None when the program has
    no such survey or it was opened before. The invitation is emailed when it opens."""
    survey = definition(mentorship.program, kind)
    if survey is None:
        return None
    now = now or timezone.now()
    try:
        with transaction.atomic():
            response, created = SurveyResponse.objects.get_or_create(
                mentorship=mentorship,
                participant=participant,
                kind=kind,
                round=round,
                defaults={
                    "title": survey["title"],
                    "questions": survey["questions"],
                    "sent_at": now,
                    "closes_at": now + datetime.timedelta(days=DAYS_OPEN),
                },
            )
    except IntegrityError:  # opened at the same moment by another run of the schedule
        return None
    if not created:
        return None
    person = participant.person
    send_templated_email(
        "survey_invitation",
        person.email,
        {
            "first_name": person.first_name,
            "title": response.title,
            "program_name": mentorship.program.name,
            "closes_at": local_time(response.closes_at, person),
            "url": _url("mentorships:survey", mentorship.program.slug, response.pk),
        },
    )
    return response


def open_for_both(mentorship: Mentorship, kind: str, *, round: int = 0, now=None) -> int:
    opened = 0
    for participant in (mentorship.mentee, mentorship.mentor):
        opened += open_survey(mentorship, participant, kind, round=round, now=now) is not None
    return opened


def answer_survey(response: SurveyResponse, *, person, answers: dict) -> SurveyResponse:
    """Check the answers against the questions as sent, then store them (once)."""
    if response.participant.person_id != person.pk:
        raise SurveyError({"": "This survey is someone else's."})
    if response.status == SurveyStatus.OPEN and response.closes_at <= timezone.now():
        SurveyResponse.objects.filter(pk=response.pk).update(status=SurveyStatus.CLOSED)
        raise SurveyError({"": "This survey has closed."})
    if response.status != SurveyStatus.OPEN:
        raise SurveyError({"": f"This survey is {response.get_status_display().lower()}."})
    clean, errors = {}, {}
    for question in response.questions:
        key, kind = question["key"], question["kind"]
        value = answers.get(key)
        empty = value in (None, "", [])
        if empty:
            if question.get("required", True):
                errors[key] = f"“{question['label']}” needs an answer."
            continue
        if kind == "scale":
            scale = question.get("scale") or {"min": 1, "max": 5}
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number is None or not scale["min"] <= number <= scale["max"]:
                errors[key] = f"Choose {scale['min']} to {scale['max']}."
                continue
            clean[key] = number
        elif kind == "yes_no":
            if value not in ("yes", "no"):
                errors[key] = "Answer yes or no."
                continue
            clean[key] = value == "yes"
        elif kind == "single_choice":
            if value not in question.get("choices", []):
                errors[key] = "Choose one of the options."
                continue
            clean[key] = value
        elif kind == "multiple_choice":
            chosen = value if isinstance(value, list) else [value]
            if not set(chosen) <= set(question.get("choices", [])):
                errors[key] = "Choose among the options."
                continue
            clean[key] = chosen
        else:
            clean[key] = str(value).strip()[:4000]
    if errors:
        raise SurveyError(errors)
    with transaction.atomic():
        updated = SurveyResponse.objects.filter(pk=response.pk, status=SurveyStatus.OPEN).update(
            answers=clean, status=SurveyStatus.ANSWERED, answered_at=timezone.now()
        )
    if not updated:
        raise SurveyError({"": "This survey has just been answered or closed."})
    response.refresh_from_db()
    return response


# The first-meeting questions that decide fit (the templates' keys): a scale answer in its lowest
# third, or a "no" to continuing.
FIT_SCALE_KEYS = ("fit",)
FIT_CONTINUE_KEYS = ("continue",)


def bad_fit(response: SurveyResponse) -> bool:
    """A first-meeting answer saying the match is not a good fit."""
    if response.kind != "first_meeting_fit" or response.status != SurveyStatus.ANSWERED:
        return False
    return answers_say_bad_fit(response.questions, response.answers)


def answers_say_bad_fit(questions: list[dict], answers: dict) -> bool:
    """`bad_fit` on an answered first-meeting survey's questions and answers."""
    for question in questions:
        value = answers.get(question["key"])
        key, kind = question["key"], question["kind"]
        if kind == "yes_no" and key in FIT_CONTINUE_KEYS and value is False:
            return True
        if kind == "scale" and key in FIT_SCALE_KEYS and isinstance(value, int):
            scale = question.get("scale") or {"min": 1, "max": 5}
            if value - scale["min"] < (scale["max"] - scale["min"] + 1) / 3:
                return True
    return False


def open_due_surveys(now: datetime.datetime | None = None) -> int:
    """Open every survey that is due: first-meeting fit once a pair's first meeting is over,
    the midpoint of a cohort (or every N weeks in an evergreen program, and in any program that
    defines a periodic survey), the end of a cohort or of a mentorship. Surveys already opened
    are read in one query, so a run with nothing due costs a handful of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    opened = 0
    running = list(
        Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).select_related(
            "program", "mentor__person", "mentee__person"
        )
    )
    ended = list(
        Mentorship.objects.filter(
            status__in=[MentorshipStatus.COMPLETED, MentorshipStatus.ENDED],
            ended_on__gte=today - datetime.timedelta(days=DAYS_OPEN),
        ).select_related("program", "mentor__person", "mentee__person")
    )
    done = set(
        SurveyResponse.objects.filter(mentorship__in=[*running, *ended]).values_list(
            "mentorship_id", "kind", "round"
        )
    )

    def due(pair: Mentorship, kind: str, round: int = 0) -> int:
        if (pair.pk, kind, round) in done or definition(pair.program, kind) is None:
            return 0
        done.add((pair.pk, kind, round))
        return open_for_both(pair, kind, round=round, now=now)

    met = set()
    for meeting in Meeting.objects.filter(taken_place(now), mentorship__in=running).only(
        "mentorship_id", "starts_at", "duration_minutes"
    ):
        if meeting.ends_at <= now:  # over, not merely started
            met.add(meeting.mentorship_id)
    for pair in running:
        program = pair.program
        if pair.pk in met:
            opened += due(pair, "first_meeting_fit")
        periodic = definition(program, "periodic")
        if program.model == "cohort" and program.starts_on and program.ends_on:
            middle = program.starts_on + (program.ends_on - program.starts_on) / 2
            if today >= middle and pair.started_on < middle:
                opened += due(pair, "midpoint")
            if today >= program.ends_on:
                opened += due(pair, "end_of_program")
        elif program.model == "evergreen" and not periodic:
            rounds = (today - pair.started_on).days // (7 * EVERGREEN_CHECK_IN_WEEKS)
            if rounds >= 1:
                opened += due(pair, "midpoint", rounds)
        if periodic:
            rounds = (today - pair.started_on).days // (7 * periodic["every_weeks"])
            if rounds >= 1:
                opened += due(pair, "periodic", rounds)
    for pair in ended:
        opened += due(pair, "end_of_program")
    SurveyResponse.objects.filter(status=SurveyStatus.OPEN, closes_at__lte=now).update(
        status=SurveyStatus.CLOSED
    )
    return opened


# ----------------------------------------------------------------------------- weekly digest


@dataclass
class DigestItem:
    key: str  # the Reminder key: the item is reminded of once
    text: str
    url: str


@dataclass
class Digest:
    person: object
    items: list[DigestItem] = field(default_factory=list)


def _week(now: datetime.datetime) -> str:
    year, week, _ = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def digest_items(now: datetime.datetime | None = None) -> dict[int, Digest]:
    """person id -> what is waiting for them: meetings to rate, pairs with nothing booked for
    longer than the cadence, open surveys (once a week until answered or closed)."""
    now = now or timezone.now()
    digests: dict[int, Digest] = {}

    def add(person, key: str, text: str, url: str) -> None:
        digests.setdefault(person.pk, Digest(person)).items.append(DigestItem(key, text, url))

    running = Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).select_related(
        "program", "mentor__person", "mentee__person"
    )
    # meetings that took place (ended an hour ago or more) and that a side has not rated
    meetings = Meeting.objects.filter(
        taken_place(now),
        mentorship__status=MentorshipStatus.ACTIVE,
        starts_at__gte=now - datetime.timedelta(days=30),
    ).select_related(
        "mentorship__program", "mentorship__mentor__person", "mentorship__mentee__person"
    )
    meetings = list(meetings)
    rated = set(
        MeetingFeedback.objects.filter(meeting__in=meetings).values_list(
            "meeting_id", "participant_id"
        )
    )
    for meeting in meetings:
        if meeting.ends_at > now - datetime.timedelta(hours=1):
            continue
        pair = meeting.mentorship
        url = _url("mentorships:workspace", pair.program.slug, pair.pk)
        for me, other in ((pair.mentee, pair.mentor), (pair.mentor, pair.mentee)):
            if (meeting.pk, me.pk) not in rated:
                day = local_time(meeting.starts_at, me.person).strftime("%-d %B")
                add(
                    me.person,
                    f"rate:{meeting.pk}",
                    f"Rate your meeting of {day} with {other.person.full_name} (private).",
                    url,
                )
    # pairs with nothing booked and no meeting for longer than the cadence
    last = dict(
        Meeting.objects.filter(taken_place(now), mentorship__in=running)
        .values("mentorship")
        .annotate(last=Max("starts_at"))
        .values_list("mentorship", "last")
    )
    booked = set(
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, starts_at__gt=now, mentorship__in=running
        ).values_list("mentorship_id", flat=True)
    )
    for pair in running:
        if pair.pk in booked:
            continue
        since = last_contact(pair.started_on, last.get(pair.pk))
        if now - since <= cadence(pair.program):
            continue
        url = _url("mentorships:workspace", pair.program.slug, pair.pk)
        basis = since.date().isoformat()
        rhythm = pair.program.get_meeting_cadence_display().lower()
        for me, other in ((pair.mentee, pair.mentor), (pair.mentor, pair.mentee)):
            add(
                me.person,
                f"meet:{pair.pk}:{basis}",
                f"Nothing is booked with {other.person.full_name}: "
                f"{pair.program.name} suggests meeting {rhythm}.",
                url,
            )
    # open surveys: reminded once a week until answered or closed
    for response in SurveyResponse.objects.filter(
        status=SurveyStatus.OPEN,
        closes_at__gt=now,
        sent_at__lte=now - datetime.timedelta(days=3),
    ).select_related("participant__person", "mentorship__program"):
        add(
            response.participant.person,
            f"survey:{response.pk}:{_week(now)}",
            f"Answer “{response.title}” ({response.mentorship.program.name}) "
            f"by {local_time(response.closes_at, response.participant.person):%-d %B}.",
            _url("mentorships:survey", response.mentorship.program.slug, response.pk),
        )
    return digests


def send_digests(now: datetime.datetime | None = None) -> int:
    """At most one email per person per week, listing only what they were not reminded of
    before; returns how many emails were sent."""
    now = now or timezone.now()
    week = f"digest:{_week(now)}"
    sent = 0
    digests = digest_items(now)
    reminded: dict[int, set[str]] = {}
    for person_id, key in Reminder.objects.filter(
        person_id__in=list(digests),
        key__in={item.key for d in digests.values() for item in d.items} | {week},
    ).values_list("person_id", "key"):
        reminded.setdefault(person_id, set()).add(key)
    for digest in digests.values():
        person = digest.person
        done = reminded.get(person.pk, set())
        if week in done:
            continue
        fresh = [item for item in digest.items if item.key not in done]
        if not fresh:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(person=person, key=week)
                Reminder.objects.bulk_create(
                    [Reminder(person=person, key=item.key) for item in fresh]
                )
        except IntegrityError:  # another run of the schedule sent it
            continue
        send_templated_email(
            "weekly_digest",
            person.email,
            {"first_name": person.first_name, "items": fresh},
        )
        sent += 1
    return sent
