"""Self-matching: recommendations, requests holding places, the limit, answers, expiry, and
the last place asked for by two mentees at the same moment."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import ParticipantFactory, ProgramFactory
from tests.helpers import page_text
from tests.matches.conftest import _people
from trellis.matches.models import MentorRequest, RequestStatus
from trellis.matches.self_matching import (
    answer_request,
    expire_overdue,
    recommendations,
    request_mentor,
    withdraw_request,
)
from trellis.matches.services import MatchError
from trellis.mentorships.models import Mentorship
from trellis.people.services import rebuild_reporting_paths
from trellis.programs.models import MatchingMode, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(program_manager):
    return ProgramFactory(
        status=Status.ACTIVE,
        matching_mode=MatchingMode.SELF,
        mentor_capacity=1,
        request_limit=2,
        request_expiry_days=7,
        matching_weights={"skills": 3, "seniority": 1},
        managed_by=[program_manager],
    )


def test_recommendations_leave_out_forbidden_and_held_mentors_and_spread_demand(program):
    mentees, mentors = _people(program, mentees=3, mentors=3, capacity=1)
    mentees[0].person.manager = mentors[0].person
    mentees[0].person.save()
    rebuild_reporting_paths()
    shown = [r.mentor for r in recommendations(program, mentees[0])]
    assert mentors[0] not in shown and len(shown) == 2
    assert all(r.reasons for r in recommendations(program, mentees[0]))
    # mentee 1 asks mentor 1: its only place is held, so nobody else is shown mentor 1
    request_mentor(mentees[1], mentors[1])
    assert mentors[1] not in [r.mentor for r in recommendations(program, mentees[2])]


def test_demand_ranks_a_popular_mentor_lower(program):
    mentees, mentors = _people(program, mentees=4, mentors=2, capacity=3)
    # make both mentors offer the same skills: equal scores, then demand decides
    question = mentors[1].answers
    mentors[0].answers = question
    mentors[0].save()
    mentors[0].person.level = mentors[1].person.level
    mentors[0].person.save()
    first = recommendations(program, mentees[0])
    assert {r.mentor for r in first} == {mentors[0], mentors[1]}
    top = first[0].mentor
    request_mentor(mentees[1], top)
    request_mentor(mentees[2], top)
    assert recommendations(program, mentees[0])[0].mentor != top


def test_a_request_holds_a_place_until_answered_and_the_limit_applies(program, mailoutbox):
    mentees, mentors = _people(program, mentees=3, mentors=3, capacity=1)
    request = request_mentor(mentees[0], mentors[0], message="I'd love your advice on SQL.")
    assert request.status == RequestStatus.PENDING and request.reasons
    assert mailoutbox[-1].to == [mentors[0].person.email]
    assert "I'd love your advice on SQL." in mailoutbox[-1].body
    with pytest.raises(MatchError, match="no free place"):
        request_mentor(mentees[1], mentors[0])
    with pytest.raises(MatchError, match="already asked"):
        request_mentor(mentees[0], mentors[0])
    request_mentor(mentees[0], mentors[1])
    with pytest.raises(MatchError, match="2 request"):
        request_mentor(mentees[0], mentors[2])
    # the mentor accepts: a mentorship, and the mentee's other request is withdrawn
    answer_request(request, person=mentors[0].person, accept=True, note="Happy to!")
    assert Mentorship.objects.get(mentee=mentees[0]).mentor == mentors[0]
    assert MentorRequest.objects.get(mentor=mentors[1]).status == RequestStatus.WITHDRAWN
    to_mentee = [m for m in mailoutbox if m.to == [mentees[0].person.email]]
    assert "Happy to!" in to_mentee[-1].body
    # the other mentor asked is told that no answer is needed any more
    assert "no longer needs an answer" in mailoutbox[-1].subject
    assert mailoutbox[-1].to == [mentors[1].person.email]
    with pytest.raises(MatchError, match="already have a mentor"):
        request_mentor(mentees[0], mentors[2])


def test_decline_and_withdraw_free_the_place(program):
    mentees, mentors = _people(program, mentees=2, mentors=1, capacity=1)
    request = request_mentor(mentees[0], mentors[0])
    with pytest.raises(MatchError, match="Only the mentor"):
        answer_request(request, person=mentees[1].person, accept=True)
    answer_request(request, person=mentors[0].person, accept=False, note="Full this term")
    second = request_mentor(mentees[1], mentors[0])
    withdraw_request(second, person=mentees[1].person)
    assert request_mentor(mentees[0], mentors[0]).status == RequestStatus.PENDING


def test_requests_expire_once_and_free_the_place(program, mailoutbox):
    mentees, mentors = _people(program, mentees=2, mentors=1, capacity=1)
    request = request_mentor(mentees[0], mentors[0])
    later = timezone.now() + datetime.timedelta(days=8)
    assert expire_overdue(program, now=later) == 1
    assert expire_overdue(program, now=later) == 0  # told once, not at every check
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    assert "has expired" in mailoutbox[-1].subject
    with pytest.raises(MatchError, match="already expired"):
        answer_request(request, person=mentors[0].person, accept=True)
    assert request_mentor(mentees[1], mentors[0]).status == RequestStatus.PENDING


def test_an_overdue_request_cannot_be_accepted(program):
    mentees, mentors = _people(program, mentees=1, mentors=1, capacity=1)
    request = request_mentor(mentees[0], mentors[0])
    MentorRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(MatchError, match="expired"):
        answer_request(request, person=mentors[0].person, accept=True)
    assert not Mentorship.objects.exists()


def test_admin_matched_programs_have_no_self_matching(program):
    mentees, mentors = _people(program, mentees=1, mentors=1)
    program.matching_mode = MatchingMode.ADMIN
    program.save()
    with pytest.raises(MatchError, match="program manager makes the matches"):
        request_mentor(mentees[0], mentors[0])


def test_the_pages_ask_and_answer(client, program):
    mentees, mentors = _people(program, mentees=1, mentors=2, capacity=1)
    mentee_user = ParticipantFactory(person=mentees[0].person)
    client.force_login(mentee_user)
    url = reverse("matches:find_mentor", args=[program.slug])
    page = page_text(client.get(url))
    assert "Recommended mentors" in page and str(mentors[0].person) in page
    client.post(url, {"mentor": mentors[0].pk, "message": "Hello"})
    assert "Waiting for an answer" in page_text(client.get(url))
    mentor_user = ParticipantFactory(person=mentors[0].person)
    client.force_login(mentor_user)
    requests_page = client.get(reverse("matches:my_requests", args=[program.slug]))
    label = escape(f"Request from {mentees[0].person}")  # as the template escapes it
    assert f'aria-label="{label}"' in requests_page.content.decode()
    assert "Hello" in page_text(requests_page)  # the mentee's message
    request = MentorRequest.objects.get()
    # the other mentor cannot answer it, and a mentor has no "find a mentor" page
    other = ParticipantFactory(person=mentors[1].person)
    client.force_login(other)
    answer_url = reverse("matches:answer_request", args=[program.slug, request.pk])
    assert client.post(answer_url, {"decision": "accept"}).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(mentor_user)
    client.post(answer_url, {"decision": "accept", "note": "See you Tuesday"})
    assert Mentorship.objects.filter(mentee=mentees[0], mentor=mentors[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_mentees_asking_for_the_last_place_at_once_exactly_one_succeeds(program_manager):
    """The mentor row lock makes the second request wait for the first to commit; it then sees
    the place held and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite's IMMEDIATE transactions serialise")
    program = ProgramFactory(
        status=Status.ACTIVE,
        matching_mode=MatchingMode.SELF,
        mentor_capacity=1,
        matching_weights={"skills": 1},
        managed_by=[program_manager],
    )
    mentees, mentors = _people(program, mentees=2, mentors=1, capacity=1)
    first_in, second_done, release = threading.Event(), threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first():
        try:
            with transaction.atomic():  # held open until the main thread releases it
                request_mentor(mentees[0], mentors[0])
                outcomes["first"] = "ok"
                first_in.set()
                release.wait(timeout=10)
        except Exception as error:
            outcomes["first"] = repr(error)
            first_in.set()
        finally:
            connections.close_all()

    def second():
        try:
            first_in.wait(timeout=10)
            request_mentor(mentees[1], mentors[0])
            outcomes["second"] = "ok"
        except MatchError as error:
            outcomes["second"] = str(error)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(timeout=10)
    # without the lock the second request would finish now and take the same place
    assert not second_done.wait(timeout=1.0)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes["first"] == "ok"
    assert "no free place" in outcomes["second"]
    assert MentorRequest.objects.filter(status=RequestStatus.PENDING).count() == 1


def test_nobody_who_has_left_can_be_matched_and_leaving_releases_requests(program):
    from trellis.enrolment.services import withdraw_participant

    mentees, mentors = _people(program, mentees=2, mentors=3, capacity=1)
    first = request_mentor(mentees[0], mentors[0])
    second = request_mentor(mentees[1], mentors[1])
    # the mentor leaves: their pending request is withdrawn, and can no longer be accepted
    withdraw_participant(mentors[0], reason="Moving abroad")
    first.refresh_from_db()
    assert first.status == RequestStatus.WITHDRAWN
    with pytest.raises(MatchError, match="already withdrawn"):
        answer_request(first, person=mentors[0].person, accept=True)
    # the mentee leaves after the mentor accepted: the mentorship ends, the place is free
    answer_request(second, person=mentors[1].person, accept=True)
    withdraw_participant(mentees[1])
    pair = Mentorship.objects.get(mentee=mentees[1])
    assert pair.status == "ended" and "left the program" in pair.end_reason
    mentors[1].refresh_from_db()
    assert mentors[1].status == "approved"
