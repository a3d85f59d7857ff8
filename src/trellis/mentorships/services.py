"""Writes on mentorships: ending one (which frees the mentor's place and puts the mentee back in
the pool) and private rematch requests with the manager's decision."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus

from .models import RUNNING, Mentorship, MentorshipStatus, RematchRequest, RematchStatus


class MentorshipError(Exception):
    """An action on a mentorship that cannot be done, with the reason in words."""


def _back_in_pool(participant: Participant) -> None:
    """A matched participant without a running mentorship is approved again (waiting for a
    match). The participant's row is locked and only MATCHED is changed, so a concurrent
    withdrawal or a second ending is never overwritten."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    running = Mentorship.objects.filter(status__in=RUNNING).filter(
        Q(mentor=participant) | Q(mentee=participant)
    )
    if not running.exists():
        Participant.objects.filter(pk=participant.pk, status=ParticipantStatus.MATCHED).update(
            status=ParticipantStatus.APPROVED, updated_at=timezone.now()
        )


def end_mentorship(
    mentorship: Mentorship,
    *,
    by,
    reason: str,
    completed: bool = False,
    today: datetime.date | None = None,
) -> Mentorship:
    """End a running (or proposed) mentorship early, or complete it. The mentor's place is free
    at once; the two are never proposed to each other again in this program."""
    reason = reason.strip()
    if not reason and not completed:
        raise MentorshipError("Say why the mentorship ends.")
    with transaction.atomic():
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        if mentorship.status not in RUNNING:
            raise MentorshipError("This mentorship has already ended.")
        started = mentorship.status == MentorshipStatus.ACTIVE  # not a withdrawn proposal
        mentorship.status = MentorshipStatus.COMPLETED if completed else MentorshipStatus.ENDED
        mentorship.ended_on = today or timezone.localdate()
        mentorship.end_reason = reason[:500]
        mentorship.ended_by = by
        mentorship.save(update_fields=["status", "ended_on", "end_reason", "ended_by"])
        _back_in_pool(mentorship.mentee)
        _back_in_pool(mentorship.mentor)
    from .meetings import cancel_future_meetings
    from .surveys import open_for_both  # the end-of-program survey follows at once

    cancel_future_meetings(mentorship)
    if started:  # a proposal withdrawn before it started has nothing to look back on
        open_for_both(mentorship, "end_of_program")
    return mentorship


def nudge_pair(mentorship: Mentorship, *, by) -> None:
    """A program manager reminds both to book their next meeting (sent now, by hand)."""
    from django.conf import settings
    from django.urls import reverse

    from trellis.notifications.services import send_templated_email

    url = settings.SITE_URL.rstrip("/") + reverse(
        "mentorships:workspace", args=[mentorship.program.slug, mentorship.pk]
    )
    pair = ((mentorship.mentee, mentorship.mentor), (mentorship.mentor, mentorship.mentee))
    for me, other in pair:
        send_templated_email(
            "pair_nudge",
            me.person.email,
            {
                "first_name": me.person.first_name,
                "other_name": other.person.full_name,
                "program_name": mentorship.program.name,
                "manager_name": getattr(by.person, "full_name", "") if by else "",
                "url": url,
            },
        )


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


def _side(mentorship: Mentorship, person) -> str:
    if person.pk == mentorship.mentee.person_id:
        return "mentee"
    if person.pk == mentorship.mentor.person_id:
        return "mentor"
    raise MentorshipError("Only the mentor or the mentee can answer this proposal.")


def confirm_mentorship(mentorship: Mentorship, *, person) -> Mentorship:
    """Hybrid matching: one side confirms; when both have, the mentorship starts."""
    with transaction.atomic():
        mentorship = (
            Mentorship.objects.select_for_update()
            .select_related("mentor", "mentee")
            .get(pk=mentorship.pk)
        )
        side = _side(mentorship, person)
        if mentorship.status != MentorshipStatus.PROPOSED:
            raise MentorshipError("This match is no longer waiting for confirmation.")
        active = (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED)
        for who in Participant.objects.select_for_update().filter(
            pk__in=[mentorship.mentor_id, mentorship.mentee_id]
        ):
            if who.status not in active:
                raise MentorshipError(
                    f"{who.person} is not taking part now ({who.get_status_display().lower()})."
                )
        now = timezone.now()
        setattr(mentorship, f"{side}_confirmed_at", now)
        if mentorship.mentor_confirmed_at and mentorship.mentee_confirmed_at:
            mentorship.status = MentorshipStatus.ACTIVE
            mentorship.started_on = timezone.localdate()
            Participant.objects.filter(pk__in=[mentorship.mentor_id, mentorship.mentee_id]).update(
                status=ParticipantStatus.MATCHED, updated_at=now
            )
        mentorship.save()
    return mentorship


def decline_mentorship(mentorship: Mentorship, *, person, reason: str = "") -> Mentorship:
    """Hybrid matching: either side declines the proposal; both go back to the pool and are
    never proposed to each other again."""
    with transaction.atomic():
        mentorship = (
            Mentorship.objects.select_for_update()
            .select_related("mentor", "mentee")
            .get(pk=mentorship.pk)
        )
        side = _side(mentorship, person)
        if mentorship.status != MentorshipStatus.PROPOSED:
            raise MentorshipError("This match is no longer waiting for confirmation.")
        mentorship.status = MentorshipStatus.DECLINED
        mentorship.ended_on = timezone.localdate()
        mentorship.end_reason = f"Declined by the {side}" + (
            f": {reason.strip()[:400]}" if reason.strip() else ""
        )
        mentorship.save(update_fields=["status", "ended_on", "end_reason"])
    return mentorship
