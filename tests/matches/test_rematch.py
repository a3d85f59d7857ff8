"""Rematch requests and ending: private to the requester and the managers; ending frees the
mentor's place; the next run never proposes the previous partner."""

import pytest
from django.urls import reverse

from tests.factories import ParticipantFactory
from tests.helpers import page_text
from tests.matches.conftest import _people
from trellis.enrolment.models import ParticipantStatus
from trellis.matches.services import publish_run, start_run
from trellis.mentorships.models import Mentorship, MentorshipStatus, RematchRequest
from trellis.mentorships.services import (
    MentorshipError,
    end_mentorship,
    request_rematch,
    resolve_rematch,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(program, program_manager):
    mentees, mentors = _people(program, mentees=4, mentors=3)
    run = start_run(program, by=program_manager)
    run.refresh_from_db()
    publish_run(run, by=program_manager)
    return mentees, mentors


def test_a_mentee_asks_privately_and_the_partner_sees_nothing(
    client,
    program,
    published,
):
    mentees, _ = published
    pair = Mentorship.objects.get(mentee=mentees[0])
    mentee_user = ParticipantFactory(person=mentees[0].person)
    client.force_login(mentee_user)
    url = reverse("mentorships:ask_for_rematch", args=[program.slug, pair.pk])
    response = client.post(url, {"reason": "We never find a time that suits both of us."})
    assert response.status_code == 302
    request = RematchRequest.objects.get()
    assert request.requested_by == mentees[0] and "never find a time" in request.reason
    # asking twice is refused; an empty reason too
    with pytest.raises(MentorshipError, match="already asked"):
        request_rematch(pair, person=mentees[0].person, reason="again")
    # the mentor's page says nothing about it
    mentor_user = ParticipantFactory(person=pair.mentor.person)
    client.force_login(mentor_user)
    text = page_text(client.get(reverse("programs:landing", args=[program.slug])))
    assert "never find a time" not in text and "asked for a new match" not in text
    # someone outside the pair cannot ask (404, not even a confirmation that it exists)
    outsider = ParticipantFactory()
    client.force_login(outsider)
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_manager_ends_and_rematches_without_the_previous_partner(
    client,
    program,
    program_manager,
    published,
):
    mentees, _ = published
    pair = Mentorship.objects.get(mentee=mentees[0])
    previous_mentor = pair.mentor_id
    request = request_rematch(pair, person=mentees[0].person, reason="Different goals.")
    client.force_login(program_manager)
    queue = client.get(reverse("matches:rematch_queue", args=[program.slug]))
    assert "Different goals." in page_text(queue)
    client.post(
        reverse("matches:rematch_decide", args=[program.slug, request.pk]),
        {"decision": "rematch", "note": "Agreed on a call"},
    )
    pair.refresh_from_db()
    request.refresh_from_db()
    assert pair.status == MentorshipStatus.ENDED and "Different goals." in pair.end_reason
    assert request.status == "rematched" and request.resolution_note == "Agreed on a call"
    mentees[0].refresh_from_db()
    assert mentees[0].status == ParticipantStatus.APPROVED
    # the next run has the mentee again, the mentor's place is free, and the old pair is out
    run = start_run(program, by=program_manager)
    proposal = run.proposals.get(mentee=mentees[0])
    assert proposal.mentor_id is not None and proposal.mentor_id != previous_mentor
    with pytest.raises(MentorshipError, match="already been dealt with"):
        resolve_rematch(request, by=program_manager, rematch=False)


def test_ending_needs_a_reason_and_happens_once(program, program_manager, published):
    mentees, _ = published
    pair = Mentorship.objects.get(mentee=mentees[1])
    with pytest.raises(MentorshipError, match="why"):
        end_mentorship(pair, by=program_manager, reason=" ")
    end_mentorship(pair, by=program_manager, reason="Moved teams")
    with pytest.raises(MentorshipError, match="already ended"):
        end_mentorship(pair, by=program_manager, reason="again")
