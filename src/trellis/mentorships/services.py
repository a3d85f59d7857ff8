"""Writes on mentorships: ending one (which frees the mentor's place and puts the mentee back in
the pool) and private rematch requests with the manager's decision."""

import datetime

from django.db import transaction
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus

from .models import Mentorship, MentorshipStatus, RematchRequest, RematchStatus


class MentorshipError(Exception):
    """An action on a mentorship that cannot be done, with the reason in words."""


def _back_in_pool(participant: Participant) -> None:
    """A participant without a running mentorship is approved again (waiting for a match)."""
    running = Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).filter(
        mentor=participant
    ) | Mentorship.objects.filter(status=MentorshipStatus.ACTIVE, mentee=participant)
    if participant.status == ParticipantStatus.MATCHED and not running.exists():
        participant.status = ParticipantStatus.APPROVED
        participant.save(update_fields=["status", "updated_at"])


def end_mentorship(
    mentorship: Mentorship,
    *,
    by,
    reason: str,
    completed: bool = False,
    today: datetime.date | None = None,
) -> Mentorship:
    """End a running mentorship early (or complete it). The mentor's place is free at once;
    the two are never proposed to each other again in this program."""
    reason = reason.strip()
    if not reason and not completed:
        raise MentorshipError("Say why the mentorship ends.")
    with transaction.atomic():
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        if mentorship.status != MentorshipStatus.ACTIVE:
            raise MentorshipError("This mentorship has already ended.")
        mentorship.status = MentorshipStatus.COMPLETED if completed else MentorshipStatus.ENDED
        mentorship.ended_on = today or timezone.localdate()
        mentorship.end_reason = reason[:500]
        mentorship.ended_by = by
        mentorship.save(update_fields=["status", "ended_on", "end_reason", "ended_by"])
        _back_in_pool(mentorship.mentee)
        _back_in_pool(mentorship.mentor)
    return mentorship


def request_rematch(mentorship: Mentorship, *, person, reason: str) -> RematchRequest:
    """A participant of the mentorship asks privately for a new match."""
    reason = reason.strip()
    if not reason:
        raise MentorshipError("Tell the program manager why, in a sentence or two.")
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError("This mentorship has already ended.")
    if person.pk == mentorship.mentee.person_id:
        requester = mentorship.mentee
    elif person.pk == mentorship.mentor.person_id:
        requester = mentorship.mentor
    else:
        raise MentorshipError("Only the mentor or the mentee can ask for a new match.")
    existing = RematchRequest.objects.filter(
        mentorship=mentorship, requested_by=requester, status=RematchStatus.OPEN
    ).first()
    if existing:
        raise MentorshipError("You have already asked; the program manager will be in touch.")
    return RematchRequest.objects.create(
        mentorship=mentorship, requested_by=requester, reason=reason[:2000]
    )


def resolve_rematch(
    request: RematchRequest, *, by, rematch: bool, note: str = ""
) -> RematchRequest:
    """The manager's decision: end the mentorship so both are matched again (never with each
    other), or dismiss the request with a note."""
    with transaction.atomic():
        request = RematchRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RematchStatus.OPEN:
            raise MentorshipError("This request has already been dealt with.")
        if rematch:
            if request.mentorship.status == MentorshipStatus.ACTIVE:
                end_mentorship(
                    request.mentorship, by=by, reason=f"Rematch requested: {request.reason}"
                )
            request.status = RematchStatus.REMATCHED
        else:
            request.status = RematchStatus.DISMISSED
        request.resolved_at = timezone.now()
        request.resolved_by = by
        request.resolution_note = note.strip()[:500]
        request.save()
        # other open requests about the same mentorship are settled by the same decision
        if rematch:
            RematchRequest.objects.filter(
                mentorship=request.mentorship, status=RematchStatus.OPEN
            ).update(
                status=RematchStatus.REMATCHED, resolved_at=request.resolved_at, resolved_by=by
            )
    return request
