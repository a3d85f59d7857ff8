"""Registration pages for participants: join a program in a role, and withdraw.

Both work on the signed-in account's own directory person only; nothing in their URLs names
another person or registration.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trellis.programs.models import Program, Role, Status
from trellis.programs.permissions import can_manage_program

from .forms import RegistrationForm, WithdrawForm
from .models import ParticipantStatus
from .selectors import person_registrations, previous_answers
from .services import (
    EnrolmentError,
    check_eligibility,
    enrol_participant,
    enrolment_closed_reason,
    offered_roles,
    withdraw_participant,
)

JOINED_MESSAGES = {
    ParticipantStatus.APPROVED: "You have joined {program} as a {role}. We have emailed you a "
    "confirmation.",
    ParticipantStatus.APPLIED: "Thank you for registering for {program} as a {role}. A program "
    "manager reviews each registration; we will email you when yours is decided.",
    ParticipantStatus.WAITLISTED: "Thank you for registering for {program} as a {role}. Every "
    "mentor place is taken for now, so you are on the waitlist; we will email you as soon as a "
    "place opens for you.",
}


def _visible_program(request, slug: str) -> Program:
    """A program people can see: drafts exist only for those who manage them."""
    program = get_object_or_404(Program, slug=slug)
    if program.status == Status.DRAFT and not can_manage_program(request.user, program):
        raise Http404("No such program.")
    return program


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request, slug: str):
    program = _visible_program(request, slug)
    person = request.user.person
    context = {
        "program": program,
        "registrations": [p for p in person_registrations(program, person) if p.is_active],
    }
    if person is None:
        return render(request, "enrolment/join.html", {**context, "state": "no_person"})
    closed_reason = enrolment_closed_reason(program)
    if closed_reason:
        return render(
            request,
            "enrolment/join.html",
            {**context, "state": "closed", "closed_reason": closed_reason},
        )

    roles = offered_roles(program)
    role = request.GET.get("role", "")
    if role not in roles:
        if len(roles) > 1 or context["registrations"]:
            # Choose a role: those already taken are listed as registrations instead.
            taken = {p.role for p in context["registrations"]}
            choices = [
                {
                    "role": choice,
                    "label": Role(choice).label,
                    "reasons": check_eligibility(program, person, choice),
                }
                for choice in roles
                if choice not in taken
            ]
            return render(
                request, "enrolment/join.html", {**context, "state": "choose", "choices": choices}
            )
        role = roles[0]
    context["role"] = role
    context["role_label"] = Role(role).label.lower()

    reasons = check_eligibility(program, person, role)
    if reasons:
        return render(
            request, "enrolment/join.html", {**context, "state": "ineligible", "reasons": reasons}
        )

    if request.method == "POST":
        form = RegistrationForm(request.POST, program=program, role=role, person=person)
        if form.is_valid():
            try:
                participant = enrol_participant(
                    program,
                    person,
                    role,
                    form.answers,
                    capacity=form.capacity,
                    consented=form.consented,
                )
            except EnrolmentError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    JOINED_MESSAGES[participant.status].format(
                        program=program.name, role=context["role_label"]
                    ),
                )
                return redirect("enrolment:join", slug=program.slug)
    else:
        form = RegistrationForm(
            program=program,
            role=role,
            person=person,
            previous_answers=previous_answers(program, person, role),
        )
    return render(request, "enrolment/join.html", {**context, "state": "form", "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, slug: str):
    program = _visible_program(request, slug)
    registrations = [p for p in person_registrations(program, request.user.person) if p.is_active]
    context = {"program": program, "registrations": registrations}
    if not registrations:
        return render(request, "enrolment/withdraw.html", context)
    if request.method == "POST":
        form = WithdrawForm(request.POST, registrations=registrations)
        if form.is_valid():
            participant = form.participant
            try:
                withdraw_participant(participant, reason=form.cleaned_data["reason"])
            except EnrolmentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"You have withdrawn from {program.name} as a "
                    f"{participant.get_role_display().lower()}.",
                )
                return redirect("enrolment:join", slug=program.slug)
    else:
        form = WithdrawForm(registrations=registrations, initial={"role": request.GET.get("role")})
    return render(request, "enrolment/withdraw.html", {**context, "form": form})
