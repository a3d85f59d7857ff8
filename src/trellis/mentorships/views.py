"""A participant's actions on their own mentorship (mounted under programs/<slug>/mentorships/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .models import Mentorship
from .services import (
    MentorshipError,
    confirm_mentorship,
    decline_mentorship,
    request_rematch,
)


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
        if request.POST.get("decision") == "confirm":
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
