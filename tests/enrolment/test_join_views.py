"""The join page: choosing a role, the form, and the clear pages when someone cannot join."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.enrolment.conftest import (
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    page_text,
)
from tests.factories import SkillFactory, UserFactory
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.programs.models import Criterion, Format, QuestionKind, Role, Status

pytestmark = pytest.mark.django_db


def join_url(program, role: str | None = None) -> str:
    url = reverse("enrolment:join", args=[program.slug])
    return f"{url}?role={role}" if role else url


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def goals(program):
    return QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.LONG_TEXT,
        label="What do you want to learn?",
        criterion=Criterion.FREE_TEXT,
    )


def test_anonymous_visitor_is_sent_to_sign_in(client, program):
    for method in (client.get, client.post):
        response = method(join_url(program, Role.MENTEE))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not Participant.objects.exists()


def test_choosing_a_role(member_client, program):
    response = member_client.get(join_url(program))
    text = page_text(response)
    assert "How would you like to take part?" in text
    html = response.content.decode()
    assert f'href="{join_url(program, Role.MENTOR)}"' in html.replace("&amp;", "&")
    assert f'href="{join_url(program, Role.MENTEE)}"' in html.replace("&amp;", "&")


def test_join_page_shows_the_role_questions(member_client, program, goals):
    QuestionFactory(program=program, role=Role.MENTOR, label="What can you teach?")
    response = member_client.get(join_url(program, Role.MENTEE))
    assert response.status_code == 200
    text = page_text(response)
    assert "Join Career mentoring" in text and "as a mentee" in text
    assert "What do you want to learn?" in text
    assert "What can you teach?" not in text
    assert "style=" not in response.content.decode()


def test_registering_saves_the_answers_and_confirms_by_email(member_client, member, program, goals):
    response = member_client.post(
        join_url(program, Role.MENTEE), {f"q_{goals.pk}": "Public speaking"}, follow=True
    )
    participant = Participant.objects.get(person=member.person)
    assert participant.role == Role.MENTEE
    assert participant.answers == {str(goals.pk): "Public speaking"}
    # No mentor yet: every place is taken, so the mentee waits, and is told so.
    assert participant.status == ParticipantStatus.WAITLISTED
    text = page_text(response)
    assert "you are on the waitlist" in text
    assert "Your registration Mentee: Waitlisted" in text
    [email] = mail.outbox
    assert email.to == [member.person.email]
    assert email.subject == f"You are on the waitlist for {program.name}"
    assert "every mentor place is taken" in email.body
    assert reverse("programs:landing", args=[program.slug]) in email.body


def test_a_mentor_joins_with_a_chosen_capacity_and_is_approved(member_client, member):
    program = ProgramFactory(mentor_capacity=3)
    expertise = QuestionFactory(
        program=program,
        role=Role.MENTOR,
        kind=QuestionKind.SKILLS,
        criterion=Criterion.SKILLS_OFFERED,
        label="What can you help with?",
    )
    skill = SkillFactory(name="Negotiation")
    member.person.skills.add(skill)
    form_page = member_client.get(join_url(program, Role.MENTOR)).content.decode()
    assert f'<option value="{skill.pk}" selected>Negotiation</option>' in form_page

    response = member_client.post(
        join_url(program, Role.MENTOR),
        {f"q_{expertise.pk}": [skill.pk], f"q_{expertise.pk}_other": "", "capacity": "2"},
    )
    assert response.status_code == 302
    participant = Participant.objects.get(person=member.person)
    assert (participant.status, participant.capacity) == (ParticipantStatus.APPROVED, 2)
    assert participant.answers == {str(expertise.pk): [skill.pk]}
    assert mail.outbox[0].subject == f"You have joined {program.name}"


def test_registration_awaiting_approval_says_so(member_client, member):
    program = ProgramFactory(requires_approval=True)
    response = member_client.post(join_url(program, Role.MENTOR), {}, follow=True)
    assert Participant.objects.get(person=member.person).status == ParticipantStatus.APPLIED
    assert "A program manager reviews each registration" in page_text(response)
    assert mail.outbox[0].subject == f"Your registration for {program.name} awaits approval"


def test_invalid_answers_are_shown_and_nothing_is_saved(member_client, program, goals):
    response = member_client.post(join_url(program, Role.MENTEE), {f"q_{goals.pk}": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are not registered yet" in page_text(response)
    assert f'id="id_q_{goals.pk}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Participant.objects.exists()
    assert mail.outbox == []


def test_consent_must_be_given(member_client, member):
    program = ProgramFactory(consent_text="We share your answers with your mentor.")
    page = page_text(member_client.get(join_url(program, Role.MENTOR)))
    assert "We share your answers with your mentor." in page
    response = member_client.post(join_url(program, Role.MENTOR), {})
    assert "To join, tick the box to agree to the terms." in page_text(response)
    assert not Participant.objects.exists()
    member_client.post(join_url(program, Role.MENTOR), {"consent": "on"})
    assert Participant.objects.get(person=member.person).consented_at is not None


def test_closed_program_says_why_and_refuses_posts(member_client):
    program = ProgramFactory(
        enrolment_opens_on=datetime.date(2020, 1, 1), enrolment_closes_on=datetime.date(2020, 2, 1)
    )
    response = member_client.get(join_url(program, Role.MENTEE))
    assert "Registration closed on 1 February 2020." in page_text(response)
    assert '<form method="post" action="/programs' not in response.content.decode()
    member_client.post(join_url(program, Role.MENTEE), {})
    assert not Participant.objects.exists()


def test_ineligible_person_sees_every_reason_and_cannot_post(member_client, member):
    program = ProgramFactory(mentor_min_level=8, mentor_min_tenure_months=600)
    response = member_client.get(join_url(program, Role.MENTOR))
    text = page_text(response)
    assert "You cannot join this program as a mentor" in text
    assert "Mentors need level 8 or above; the directory has you at level 3." in text
    assert "Mentors need at least 50 years with the organisation" in text
    member_client.post(join_url(program, Role.MENTOR), {})
    assert not Participant.objects.exists()
    # The role chooser shows the same reasons, and still offers the mentee role.
    chooser = member_client.get(join_url(program))
    assert "Mentors need level 8 or above" in page_text(chooser)
    assert "Join as a mentee" in page_text(chooser)


def test_account_without_a_directory_person_gets_a_clear_page(client, program):
    client.force_login(UserFactory(person=None))
    response = client.get(join_url(program, Role.MENTEE))
    assert "not linked to a person in the directory" in page_text(response)
    client.post(join_url(program, Role.MENTEE), {})
    assert not Participant.objects.exists()


def test_draft_programs_are_not_found_by_participants(member_client, manager_client):
    draft = ProgramFactory(status=Status.DRAFT)
    assert member_client.get(join_url(draft, Role.MENTEE)).status_code == 404


def test_registered_person_sees_their_status_and_no_second_form(member_client, member, program):
    RegistrationFactory(program=program, person=member.person, role=Role.MENTEE)
    text = page_text(member_client.get(join_url(program)))
    assert "Your registration Mentee: Approved" in text
    assert "each person takes one role" in text  # the mentor role is not offered
    again = page_text(member_client.get(join_url(program, Role.MENTEE)))
    assert "You are already registered as a mentee (approved)." in again


def test_both_roles_when_the_program_allows_it(member_client, member):
    program = ProgramFactory(allow_both_roles=True)
    member_client.post(join_url(program, Role.MENTOR), {})
    member_client.post(join_url(program, Role.MENTEE), {})
    assert set(Participant.objects.filter(person=member.person).values_list("role", flat=True)) == {
        Role.MENTOR,
        Role.MENTEE,
    }


def test_peer_programs_go_straight_to_the_form(member_client, member):
    program = ProgramFactory(format=Format.PEER)
    response = member_client.get(join_url(program))
    assert "Register as a peer" in page_text(response)
    member_client.post(join_url(program), {})
    assert Participant.objects.get(person=member.person).role == Role.PEER


def test_an_unknown_role_in_the_address_shows_the_role_chooser(member_client, program):
    response = member_client.get(join_url(program, "overlord"))
    assert "How would you like to take part?" in page_text(response)
    member_client.post(join_url(program, "overlord"), {})
    assert not Participant.objects.exists()


def test_join_page_query_count_does_not_grow_with_questions(member_client, program):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(join_url(program, Role.MENTEE)).status_code == 200
        return len(queries)

    QuestionFactory(program=program, role=Role.MENTEE, kind=QuestionKind.SINGLE_CHOICE)
    few = count()
    for kind in (QuestionKind.YES_NO, QuestionKind.SCALE, QuestionKind.LONG_TEXT) * 10:
        QuestionFactory(program=program, role="", kind=kind, choices=["A", "B"])
    assert count() == few
