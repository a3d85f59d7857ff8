"""Self-matching pages for participants: find a mentor (recommendations, ask), and the requests
a person made or received. Each view checks that the signed-in person takes part in the
program in the right role; nobody sees another person's requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.mentorships.models import RUNNING
from trellis.programs.models import Program, Role

from .models import MentorRequest, RequestStatus
from .self_matching import (
    SELF_MODES,
    answer_request,
    recommendations,
    request_mentor,
    withdraw_request,
)
from .services import MatchError

ACTIVE = (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED)


def _mine(request, slug: str, role: str) -> tuple[Program, Participant | None]:
    program = get_object_or_404(Program, slug=slug)
    person = request.user.person
    if person is None:
        return program, None
    participant = Participant.objects.filter(
        program=program, person=person, role=role, status__in=ACTIVE
    ).first()
    return program, participant


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def find_mentor(request, slug: str):
    program, mentee = _mine(request, slug, Role.MENTEE)
    if mentee is None or program.matching_mode not in SELF_MODES:
        raise Http404("Choosing a mentor is not open to you in this program.")
    if request.method == "POST":
        mentor = Participant.objects.filter(
            program=program, role=Role.MENTOR, pk=request.POST.get("mentor") or 0
        ).first()
        try:
            if mentor is None:
                raise MatchError("Choose one of the recommended mentors.")
            request_mentor(mentee, mentor, message=request.POST.get("message", ""))
        except MatchError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Your request is with {mentor.person}. They have "
                f"{program.request_expiry_days} days to answer; we will email you.",
            )
        return redirect("matches:find_mentor", slug=program.slug)
    pending = MentorRequest.objects.filter(
        mentee=mentee, status=RequestStatus.PENDING, expires_at__gt=timezone.now()
    ).select_related("mentor__person")
    has_mentor = mentee.mentorships_as_mentee.filter(status__in=RUNNING).exists()
    return render(
        request,
        "matches/find_mentor.html",
        {
            "program": program,
            "recommendations": [] if has_mentor else recommendations(program, mentee),
            "pending": pending,
            "has_mentor": has_mentor,
            "can_ask": not has_mentor and pending.count() < program.request_limit,
        },
    )


@login_required
@require_safe
def my_requests(request, slug: str):
    program = get_object_or_404(Program, slug=slug)
    person = request.user.person
    if person is None:
        raise Http404("No requests.")
    received = MentorRequest.objects.filter(program=program, mentor__person=person).select_related(
        "mentee__person"
    )
    made = MentorRequest.objects.filter(program=program, mentee__person=person).select_related(
        "mentor__person"
    )
    return render(
        request,
        "matches/my_requests.html",
        {"program": program, "received": received[:100], "made": made[:100]},
    )


@login_required
@require_POST
def answer(request, slug: str, pk: int):
    mentor_request = get_object_or_404(MentorRequest, pk=pk, program__slug=slug)
    person = request.user.person
    if person is None or mentor_request.mentor.person_id != person.pk:
        raise Http404("No such request.")
    accept = request.POST.get("decision") == "accept"
    try:
        answer_request(
            mentor_request, person=person, accept=accept, note=request.POST.get("note", "")
        )
    except MatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"You are now {mentor_request.mentee.person.first_name}'s mentor."
            if accept
            else "The request is declined; we have told the mentee.",
        )
    return redirect("matches:my_requests", slug=slug)


@login_required
@require_POST
def withdraw(request, slug: str, pk: int):
    mentor_request = get_object_or_404(MentorRequest, pk=pk, program__slug=slug)
    person = request.user.person
    if person is None or mentor_request.mentee.person_id != person.pk:
        raise Http404("No such request.")
    try:
        withdraw_request(mentor_request, person=person)
    except MatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The request is withdrawn.")
    return redirect("matches:find_mentor", slug=slug)
