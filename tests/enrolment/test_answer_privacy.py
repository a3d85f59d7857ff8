"""Participants never see other participants' hidden answers, nor a program's settings."""

import pytest
from django.urls import reverse

from tests.enrolment.conftest import QuestionFactory, RegistrationFactory
from trellis.programs.models import QuestionKind, Role

pytestmark = pytest.mark.django_db

SECRET = "I am thinking of leaving the company"


@pytest.fixture
def registrations(program, member):
    public = QuestionFactory(
        program=program, role=Role.MENTEE, kind=QuestionKind.SHORT_TEXT, label="Goal"
    )
    private = QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.LONG_TEXT,
        label="Anything the program team should know?",
        is_private=True,
    )
    other = RegistrationFactory(
        program=program,
        answers={str(public.pk): "Get better at negotiation", str(private.pk): SECRET},
    )
    own = RegistrationFactory(program=program, person=member.person, answers={str(public.pk): "x"})
    return other, own


@pytest.mark.parametrize(
    "name", ["participants", "export", "participant_detail", "supply_demand", "invite"]
)
def test_a_fellow_participant_cannot_read_other_participants_answers(
    client, member, program, registrations, name
):
    other, _ = registrations
    client.force_login(member)
    args = [program.slug, other.pk] if name == "participant_detail" else [program.slug]
    response = client.get(reverse(f"enrolment:{name}", args=args))
    assert response.status_code == 403
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("name", ["landing", "list"])
def test_pages_a_participant_may_open_never_show_private_answers(
    client, member, program, registrations, name
):
    client.force_login(member)
    url = (
        reverse("programs:list")
        if name == "list"
        else reverse("programs:landing", args=[program.slug])
    )
    response = client.get(url)
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_the_manager_sees_the_private_answer(manager_client, program, registrations):
    other, _ = registrations
    response = manager_client.get(
        reverse("enrolment:participant_detail", args=[program.slug, other.pk])
    )
    assert SECRET in response.content.decode()


@pytest.mark.parametrize("name", ["settings", "okrs", "form_builder", "form_preview"])
def test_a_participant_cannot_open_or_change_program_settings(client, member, program, name):
    client.force_login(member)
    url = reverse(f"programs:{name}", args=[program.slug])
    before = program.name
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Hijacked"}).status_code == 403
    program.refresh_from_db()
    assert program.name == before
