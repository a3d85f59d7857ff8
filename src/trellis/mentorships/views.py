"""A participant's actions on their own mentorship, and the managers' view of pair health
(mounted under programs/<slug>/mentorships/)."""

import datetime
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trellis.programs.permissions import program_manager_of_program

from .goals import add_goal, goal_suggestions, toggle_milestone, update_goal
from .meetings import (
    MeetingError,
    cancel_meeting,
    local_time,
    log_meeting,
    pair_health,
    rate_meeting,
    reschedule_meeting,
    save_notes,
    schedule_meeting,
    side_of,
)
from .models import (
    Goal,
    Meeting,
    MeetingFeedback,
    Mentorship,
    Milestone,
    PrivateNote,
    SurveyResponse,
)
from .services import (
    MentorshipError,
    confirm_mentorship,
    decline_mentorship,
    end_mentorship,
    nudge_pair,
    request_rematch,
)
from .surveys import SurveyError, answer_survey, definition, open_for_both


def _own(request, slug: str, pk: int) -> Mentorship:
    """The mentorship, if the signed-in person is its mentor or mentee; 404 otherwise (not
    yours: do not even confirm it exists)."""
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("mentee", "mentor", "program"),
        pk=pk,
        program__slug=slug,
    )
    person = request.user.person
    if person is None or person.pk not in (
        mentorship.mentee.person_id,
        mentorship.mentor.person_id,
    ):
        raise Http404("No such mentorship.")
    return mentorship


@login_required
@require_POST
def answer_proposal(request, slug: str, pk: int):
    mentorship = _own(request, slug, pk)
    try:
        decision = request.POST.get("decision")
        if decision not in ("confirm", "decline"):
            raise MentorshipError("Confirm or decline the match.")
        if decision == "confirm":
            mentorship = confirm_mentorship(mentorship, person=request.user.person)
            messages.success(
                request,
                "Confirmed: your mentorship has started."
                if mentorship.is_active
                else "Confirmed. It starts as soon as the other person confirms too.",
            )
        else:
            decline_mentorship(
                mentorship, person=request.user.person, reason=request.POST.get("reason", "")
            )
            messages.success(
                request, "Declined. You will be matched again, never with the same person."
            )
    except MentorshipError as error:
        messages.error(request, str(error))
    return redirect("programs:landing", slug=slug)


@login_required
@require_POST
def ask_for_rematch(request, slug: str, pk: int):
    mentorship = _own(request, slug, pk)
    person = request.user.person
    try:
        request_rematch(mentorship, person=person, reason=request.POST.get("reason", ""))
    except MentorshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Your request is with the program manager, and only with them: "
            "your partner is not told unless the manager ends the mentorship.",
        )
    return redirect("programs:landing", slug=slug)


# ----------------------------------------------------------------------------- workspace


def _moment(request, person) -> tuple[datetime.datetime | None, int]:
    """The date and time typed in the form, in the person's own time zone. A time the clocks
    skip or pass twice that day (a daylight-saving change) is refused."""
    try:
        day = datetime.date.fromisoformat(request.POST.get("date", ""))
        clock = datetime.time.fromisoformat(request.POST.get("time", ""))
        minutes = int(request.POST.get("duration") or 45)
    except ValueError:
        return None, 0
    if not 2000 <= day.year <= 2100:
        raise MeetingError("Choose a date between 2000 and 2100.")
    zone = zoneinfo.ZoneInfo(person.effective_time_zone)
    naive = datetime.datetime.combine(day, clock)
    moment = naive.replace(tzinfo=zone)
    round_trip = moment.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    other_fold = naive.replace(tzinfo=zone, fold=1).utcoffset()
    if round_trip != naive or other_fold != moment.utcoffset():
        raise MeetingError(
            f"{clock:%H:%M} on {day:%-d %B} does not exist or happens twice in "
            f"{person.effective_time_zone} (the clocks change): choose another time."
        )
    return moment, minutes


def _number(value) -> int:
    """A posted id or number, or 0 when it is not one (looked up as missing: 404)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workspace(request, slug: str, pk: int):
    """The pair's page: meetings (schedule, log, move, cancel, rate privately, notes)."""
    mentorship = _own(request, slug, pk)
    person = request.user.person
    me = side_of(mentorship, person)
    partner = mentorship.mentor.person if me == mentorship.mentee else mentorship.mentee.person
    if request.method == "POST":
        action = request.POST.get("action", "")
        meeting = None
        if request.POST.get("meeting"):
            meeting = get_object_or_404(
                Meeting, pk=_number(request.POST["meeting"]), mentorship=mentorship
            )
        try:
            if action in ("schedule", "log", "move"):
                moment, minutes = _moment(request, person)
                if moment is None:
                    raise MeetingError("Give a date, a time and a duration in minutes.")
                if action == "schedule":
                    schedule_meeting(
                        mentorship,
                        person=person,
                        starts_at=moment,
                        duration_minutes=minutes,
                        place=request.POST.get("place", ""),
                        agenda=request.POST.get("agenda", ""),
                    )
                    messages.success(request, "Scheduled: you both have the invitation.")
                elif action == "log":
                    log_meeting(
                        mentorship,
                        person=person,
                        starts_at=moment,
                        duration_minutes=minutes,
                        notes=request.POST.get("notes", ""),
                    )
                    messages.success(request, "The meeting is logged. Rate it below.")
                else:
                    if meeting is None:
                        raise MeetingError("Choose a meeting.")
                    reschedule_meeting(
                        meeting, person=person, starts_at=moment, duration_minutes=minutes
                    )
                    messages.success(request, "Moved: the calendar event is updated for both.")
            elif action == "cancel" and meeting is not None:
                cancel_meeting(meeting, person=person)
                messages.success(request, "Cancelled: the event is removed from both calendars.")
            elif action == "rate" and meeting is not None:
                rating = _number(request.POST.get("rating"))
                rate_meeting(
                    meeting, person=person, rating=rating, comment=request.POST.get("comment", "")
                )
                messages.success(request, "Thank you: only you and the program's managers see it.")
            elif action == "add_goal":
                target = request.POST.get("target_date") or None
                try:
                    target_date = datetime.date.fromisoformat(target) if target else None
                    if target_date and not 2000 <= target_date.year <= 2100:
                        raise ValueError(target)
                except ValueError as error:
                    raise MeetingError("Give the target date as a date.") from error
                add_goal(
                    mentorship,
                    person=person,
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                    target_date=target_date,
                    milestones=request.POST.get("milestones", "").splitlines(),
                )
                messages.success(request, "Goal added.")
            elif action == "update_goal":
                goal = get_object_or_404(
                    Goal, pk=_number(request.POST.get("goal")), mentorship=mentorship
                )
                raw = request.POST.get("progress", "").strip()
                if raw and not (raw.isascii() and raw.isdigit()):
                    raise MeetingError("Progress is a percentage, 0 to 100.")
                update_goal(
                    goal,
                    person=person,
                    text=request.POST.get("text", ""),
                    progress=int(raw) if raw.isdigit() else None,
                    status=request.POST.get("status") or None,
                )
                messages.success(request, "Goal updated.")
            elif action == "milestone":
                milestone = get_object_or_404(
                    Milestone,
                    pk=_number(request.POST.get("milestone")),
                    goal__mentorship=mentorship,
                )
                toggle_milestone(milestone, person=person)
            elif action == "notes" and meeting is not None:
                save_notes(
                    meeting,
                    person=person,
                    shared=request.POST.get("shared"),
                    private=request.POST.get("private"),
                )
                messages.success(request, "Notes saved.")
            else:
                raise MeetingError("Choose an action.")
        except MeetingError as error:
            messages.error(request, str(error))
        return redirect("mentorships:workspace", slug=slug, pk=mentorship.pk)

    now = timezone.now()
    meetings = list(mentorship.meetings.order_by("-starts_at"))
    mine = {
        f.meeting_id: f
        for f in MeetingFeedback.objects.filter(meeting__in=meetings, participant=me)
    }
    notes = {
        n.meeting_id: n for n in PrivateNote.objects.filter(meeting__in=meetings, participant=me)
    }
    rows = [
        {
            "meeting": m,
            "my_time": local_time(m.starts_at, person),
            "partner_time": local_time(m.starts_at, partner),
            "is_past": m.starts_at <= now,
            "my_feedback": mine.get(m.pk),
            "my_note": notes.get(m.pk),
        }
        for m in meetings
    ]
    return render(
        request,
        "mentorships/workspace.html",
        {
            "program": mentorship.program,
            "mentorship": mentorship,
            "partner": partner,
            "me": me,
            "rows": rows,
            "my_zone": person.effective_time_zone,
            "partner_zone": partner.effective_time_zone,
            "today": timezone.localdate(),
            "goals": mentorship.goals.prefetch_related("milestones", "updates__author__person"),
            "suggestions": goal_suggestions(mentorship) if me == mentorship.mentee else [],
            "is_mentee": me == mentorship.mentee,
        },
    )


@program_manager_of_program
@require_safe
def pair_health_page(request, program):
    """Managers: every running pair with its meetings, ratings in aggregate and per pair, and
    the reasons a pair is at risk, at-risk pairs first."""
    health = pair_health(program)
    ratings = MeetingFeedback.objects.filter(meeting__mentorship__program=program)
    proposed = (
        Mentorship.objects.filter(program=program, status="proposed")
        .select_related("mentor__person", "mentee__person")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "mentorships/health.html",
        {
            "program": program,
            "health": health,
            "at_risk": sum(1 for h in health if h.at_risk),
            "average": ratings.aggregate(avg=Avg("rating"))["avg"],
            "ratings": ratings.count(),
            "proposed": proposed,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, slug: str, pk: int):
    """One's own survey: the questions as they were sent; answered once."""
    response = get_object_or_404(
        SurveyResponse.objects.select_related("mentorship__program", "participant"),
        pk=pk,
        mentorship__program__slug=slug,
    )
    person = request.user.person
    if person is None or response.participant.person_id != person.pk:
        raise Http404("No such survey.")
    errors: dict[str, str] = {}
    given: dict = {}
    if request.method == "POST":
        for question in response.questions:
            key = question["key"]
            if question["kind"] == "multiple_choice":
                given[key] = request.POST.getlist(key)
            else:
                given[key] = request.POST.get(key, "")
        try:
            answer_survey(response, person=person, answers=given)
        except SurveyError as error:
            errors = error.errors
            if "" in errors:
                messages.error(request, errors.pop(""))
        else:
            messages.success(request, "Thank you: your answers went to the program's managers.")
            return redirect("programs:landing", slug=slug)
    questions = [
        {
            **q,
            "value": given.get(q["key"], response.answers.get(q["key"], "")),
            "error": errors.get(q["key"], ""),
            "range": list(range(q["scale"]["min"], q["scale"]["max"] + 1))
            if q["kind"] == "scale" and q.get("scale")
            else [],
        }
        for q in response.questions
    ]
    return render(
        request,
        "mentorships/survey.html",
        {"program": response.mentorship.program, "response": response, "questions": questions},
    )


@login_required
@require_POST
def end_own(request, slug: str, pk: int):
    """Either person completes the mentorship or ends it early with a reason."""
    mentorship = _own(request, slug, pk)
    completed = request.POST.get("how") == "complete"
    try:
        end_mentorship(
            mentorship,
            by=request.user,
            reason=request.POST.get("reason", ""),
            completed=completed,
        )
    except MentorshipError as error:
        messages.error(request, str(error))
        return redirect("mentorships:workspace", slug=slug, pk=pk)
    messages.success(
        request,
        "The mentorship is complete. A last short survey is waiting for you both."
        if completed
        else "The mentorship has ended. A last short survey is waiting for you both.",
    )
    return redirect("programs:landing", slug=slug)


@program_manager_of_program
@require_POST
def manage_pair(request, program, pk: int):
    """Managers' actions from the Pairs page: nudge the pair, send a check-in, end it."""
    mentorship = get_object_or_404(
        Mentorship, pk=pk, program=program, status__in=["active", "proposed"]
    )
    action = request.POST.get("action")
    if mentorship.status == "proposed" and action != "end":
        messages.error(request, "This match is still waiting for confirmation.")
        return redirect("mentorships:health", slug=program.slug)
    if action == "nudge":
        nudge_pair(mentorship, by=request.user)
        messages.success(request, "Both have been reminded to book their next meeting.")
    elif action == "check_in":
        kind = "midpoint" if definition(program, "midpoint") else "periodic"
        # a check-in by hand is its own round, after any the schedule opens
        sent = mentorship.surveys.filter(kind=kind, round__gte=1000).count() // 2
        opened = open_for_both(mentorship, kind, round=1000 + sent)
        messages.success(
            request,
            "A check-in survey is on its way to both."
            if opened
            else "This program has no check-in survey, or it was already sent.",
        )
    elif action == "end":
        try:
            end_mentorship(mentorship, by=request.user, reason=request.POST.get("reason", ""))
        except MentorshipError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "The mentorship has ended; both will be matched again in the next run."
            )
    else:
        messages.error(request, "Choose an action.")
    return redirect("mentorships:health", slug=program.slug)
