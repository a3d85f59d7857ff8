"""Hybrid matching: a published run proposes; both people confirm before the mentorship starts;
a decline puts both back in the pool, never to be proposed to each other again."""

import pytest
from django.urls import reverse

from tests.factories import ParticipantFactory
from tests.helpers import page_text
from tests.matches.conftest import _people
from trellis.enrolment.models import ParticipantStatus
from trellis.matches.services import publish_run, start_run
from trellis.mentorships.models import Mentorship, MentorshipStatus
from trellis.mentorships.services import (
    MentorshipError,
    confirm_mentorship,
    decline_mentorship,
)
from trellis.programs.models import MatchingMode

pytestmark = pytest.mark.django_db


@pytest.fixture
def hybrid(program):
    program.matching_mode = MatchingMode.HYBRID
    program.save()
    return program


def _publish(program, manager):
    run = start_run(program, by=manager)
    run.refresh_from_db()
    return publish_run(run, by=manager)


def test_both_confirm_then_it_starts(hybrid, program_manager, mailoutbox, client):
    mentees, _ = _people(hybrid, mentees=2, mentors=1)
    _publish(hybrid, program_manager)
    pair = Mentorship.objects.get(mentee=mentees[0])
    assert pair.status == MentorshipStatus.PROPOSED
    assert all("Please confirm" in m.subject for m in mailoutbox)
    mentees[0].refresh_from_db()
    assert mentees[0].status == ParticipantStatus.APPROVED  # not matched until confirmed
    # the mentee confirms through the page
    user = ParticipantFactory(person=mentees[0].person)
    client.force_login(user)
    landing = reverse("programs:landing", args=[hybrid.slug])
    assert "Proposed mentor" in page_text(client.get(landing))
    client.post(
        reverse("mentorships:answer_proposal", args=[hybrid.slug, pair.pk]),
        {"decision": "confirm"},
    )
    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.PROPOSED and pair.mentee_confirmed_at
    assert "waiting for" in page_text(client.get(landing))
    confirm_mentorship(pair, person=pair.mentor.person)
    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.ACTIVE
    mentees[0].refresh_from_db()
    assert mentees[0].status == ParticipantStatus.MATCHED
    with pytest.raises(MentorshipError, match="no longer waiting"):
        confirm_mentorship(pair, person=pair.mentee.person)


def test_a_decline_goes_back_to_the_pool_without_that_partner(hybrid, program_manager):
    mentees, _ = _people(hybrid, mentees=1, mentors=2, capacity=1)
    _publish(hybrid, program_manager)
    pair = Mentorship.objects.get(mentee=mentees[0])
    first_mentor = pair.mentor_id
    # a proposal holds the mentee and the place: a run now has nobody to match
    assert start_run(hybrid, by=program_manager).proposals.count() == 0
    with pytest.raises(MentorshipError, match="Only the mentor or the mentee"):
        decline_mentorship(pair, person=ParticipantFactory().person)
    decline_mentorship(pair, person=pair.mentor.person, reason="On leave next month")
    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.DECLINED and "On leave" in pair.end_reason
    again = start_run(hybrid, by=program_manager)
    proposal = again.proposals.get(mentee=mentees[0])
    assert proposal.mentor_id is not None and proposal.mentor_id != first_mentor


def test_managers_see_and_withdraw_proposals_waiting_for_confirmation(
    hybrid, program_manager, client
):
    mentees, _ = _people(hybrid, mentees=2, mentors=1)
    _publish(hybrid, program_manager)
    pair = Mentorship.objects.get(mentee=mentees[0])
    confirm_mentorship(pair, person=pair.mentee.person)
    client.force_login(program_manager)
    page = page_text(client.get(reverse("mentorships:health", args=[hybrid.slug])))
    assert "Waiting for confirmation (2)" in page and "the mentee" in page
    manage = reverse("mentorships:manage", args=[hybrid.slug, pair.pk])
    client.post(manage, {"action": "nudge"})  # not for a proposal
    client.post(manage, {"action": "end", "reason": "Proposal withdrawn by the program manager"})
    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.ENDED
    assert not pair.surveys.exists()  # no end-of-program survey for a match that never started
    assert "Waiting for confirmation (1)" in page_text(
        client.get(reverse("mentorships:health", args=[hybrid.slug]))
    )
