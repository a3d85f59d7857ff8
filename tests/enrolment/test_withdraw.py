"""Withdrawing: only your own registration, with an optional reason; registering again later."""

import pytest
from django.urls import reverse

from tests.enrolment.conftest import ProgramFactory, QuestionFactory, RegistrationFactory, page_text
from tests.factories import ParticipantFactory
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.enrolment.services import enrol_participant
from trellis.programs.models import QuestionKind, Role

pytestmark = pytest.mark.django_db


def withdraw_url(program) -> str:
    return reverse("enrolment:withdraw", args=[program.slug])


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def registration(program, member):
    return RegistrationFactory(program=program, person=member.person, role=Role.MENTEE)


def test_anonymous_visitor_is_sent_to_sign_in(client, program, registration):
    response = client.post(withdraw_url(program), {"role": Role.MENTEE})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED


def test_confirmation_page_then_withdrawal_with_a_reason(member_client, program, registration):
    page = page_text(member_client.get(withdraw_url(program)))
    assert "You are registered as a mentee (approved)." in page
    assert "Why are you leaving? (optional)" in page

    response = member_client.post(
        withdraw_url(program), {"role": Role.MENTEE, "reason": "New job, no time"}, follow=True
    )
    registration.refresh_from_db()
    assert registration.status == ParticipantStatus.WITHDRAWN
    assert registration.withdrawal_reason == "New job, no time"
    assert registration.withdrawn_at is not None
    assert f"You have withdrawn from {program.name} as a mentee." in page_text(response)


def test_the_reason_is_optional_but_bounded(member_client, program, registration):
    response = member_client.post(withdraw_url(program), {"role": Role.MENTEE, "reason": "x" * 501})
    assert "You have not withdrawn yet" in page_text(response)
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED
    member_client.post(withdraw_url(program), {"role": Role.MENTEE})
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.WITHDRAWN


def test_withdrawing_touches_only_your_own_registration(client, program, registration):
    other = ParticipantFactory()
    client.force_login(other)
    page = page_text(client.get(withdraw_url(program)))
    assert "You are not registered in this program" in page
    client.post(withdraw_url(program), {"role": Role.MENTEE, "participant": registration.pk})
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED

    # Registered in the same program too, the other person still only reaches their own row,
    # whatever id they post. (A mentor with two places keeps both mentees' places.)
    RegistrationFactory(program=program, role=Role.MENTOR, capacity=2)
    own = RegistrationFactory(program=program, person=other.person, role=Role.MENTEE)
    client.post(withdraw_url(program), {"role": Role.MENTEE, "participant": registration.pk})
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED
    assert Participant.objects.get(pk=own.pk).status == ParticipantStatus.WITHDRAWN


def test_with_two_roles_you_choose_which_to_leave(member_client, member, program, registration):
    mentor = RegistrationFactory(program=program, person=member.person, role=Role.MENTOR)
    RegistrationFactory(program=program, role=Role.MENTOR, capacity=1)  # keeps the mentee's place
    page = member_client.get(withdraw_url(program)).content.decode()
    assert 'type="radio"' in page and "<legend>Withdraw my registration as</legend>" in page
    member_client.post(withdraw_url(program), {"role": Role.MENTOR})
    assert Participant.objects.get(pk=mentor.pk).status == ParticipantStatus.WITHDRAWN
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED


def test_a_role_you_do_not_hold_is_refused(member_client, program, registration):
    response = member_client.post(withdraw_url(program), {"role": Role.MENTOR})
    assert "You have not withdrawn yet" in page_text(response)
    assert Participant.objects.get(pk=registration.pk).status == ParticipantStatus.APPROVED


def test_nothing_left_to_withdraw_after_withdrawing(member_client, program, registration):
    member_client.post(withdraw_url(program), {"role": Role.MENTEE})
    assert "nothing to withdraw" in page_text(member_client.get(withdraw_url(program)))


def test_registering_again_reuses_the_row_with_new_answers(member_client, member, program):
    question = QuestionFactory(program=program, role=Role.MENTEE, kind=QuestionKind.SHORT_TEXT)
    first = enrol_participant(
        program, member.person, Role.MENTEE, {str(question.pk): "First time"}, consented=False
    )
    member_client.post(withdraw_url(program), {"role": Role.MENTEE, "reason": "Busy"})

    join = reverse("enrolment:join", args=[program.slug]) + "?role=mentee"
    form_page = member_client.get(join).content.decode()
    assert 'value="First time"' in form_page  # earlier answers prefill the form
    member_client.post(join, {f"q_{question.pk}": "Second time"})

    again = Participant.objects.get(person=member.person, role=Role.MENTEE)
    assert again.pk == first.pk
    assert again.status == ParticipantStatus.WAITLISTED  # no mentors yet
    assert again.answers == {str(question.pk): "Second time"}
    assert again.withdrawn_at is None and again.withdrawal_reason == ""
    assert again.applied_at > first.applied_at  # back of the queue


def test_a_withdrawn_person_can_register_again_only_while_open(member_client, member):
    program = ProgramFactory()
    enrol_participant(program, member.person, Role.MENTOR, {}, consented=False)
    member_client.post(withdraw_url(program), {"role": Role.MENTOR})
    program.status = "closed"
    program.save()
    join = reverse("enrolment:join", args=[program.slug]) + "?role=mentor"
    member_client.post(join, {})
    assert Participant.objects.get(person=member.person).status == ParticipantStatus.WITHDRAWN
