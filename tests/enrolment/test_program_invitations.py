"""Inviting people to register for a program, and reminding those who have not registered."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.enrolment import roster_factories
from tests.enrolment.roster_factories import (
    ParticipantRowFactory,
    ProgramInvitationFactory,
    RosterProgramFactory,
    flash,
    page_text,
)
from tests.factories import DepartmentFactory, PersonFactory
from trellis.enrolment.models import ParticipantStatus, ProgramInvitation
from trellis.enrolment.roster import (
    InvitationError,
    invite_to_program,
    remind_invited,
)
from trellis.programs.models import Format, Role

pytestmark = pytest.mark.django_db

manager = roster_factories.manager
manager_client = roster_factories.manager_client

DAY = datetime.timedelta(days=1)


@pytest.fixture
def program(manager):
    return RosterProgramFactory(
        name="Leaders & Learners", slug="leaders", summary="Grow as a leader.", managed_by=[manager]
    )


def invite_url(program) -> str:
    return reverse("enrolment:invite", args=[program.slug])


def landing(program) -> str:
    return "http://testserver" + reverse("programs:landing", args=[program.slug])


def age_invitations(program, days: float) -> None:
    """Pretend every invitation of the program was sent `days` ago."""
    ProgramInvitation.objects.filter(program=program).update(invited_at=timezone.now() - days * DAY)


# --- Inviting ------------------------------------------------------------------------------------


def test_invite_people_by_email_or_employee_id(manager_client, manager, program, settings):
    settings.SITE_URL = "http://testserver"
    ada = PersonFactory(first_name="Ada", email="ada@example.com")
    grace = PersonFactory(first_name="Grace", employee_id="E-GRACE")
    response = manager_client.post(
        invite_url(program),
        {"action": "invite", "identifiers": "ADA@example.com;\n E-GRACE", "role": "mentor"},
    )
    assert response.status_code == 302
    invitations = ProgramInvitation.objects.filter(program=program).order_by("person__first_name")
    assert [(i.person, i.role, i.invited_by) for i in invitations] == [
        (ada, "mentor", manager),
        (grace, "mentor", manager),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ada.email, grace.email])
    message = next(m for m in mail.outbox if m.to == [ada.email])
    assert message.subject == f"{manager.person.full_name} invites you to join Leaders & Learners"
    assert "&amp;" not in message.subject and "&amp;" not in message.body  # plain text stays plain
    assert "Hello Ada," in message.body
    assert "as a mentor" in message.body
    assert landing(program) in message.body
    assert landing(program) in message.alternatives[0].content
    assert flash(response) == ["2 people invited to register."]


def test_a_person_is_invited_once_per_program(manager_client, program):
    ada = PersonFactory(email="ada@example.com")
    first = manager_client.post(
        invite_url(program), {"action": "invite", "identifiers": ada.email}, follow=True
    )
    assert "1 person invited to register." in page_text(first)  # shown, so used up
    mail.outbox.clear()
    response = manager_client.post(
        invite_url(program), {"action": "invite", "identifiers": ada.email}
    )
    assert ProgramInvitation.objects.filter(program=program, person=ada).count() == 1
    assert mail.outbox == []
    assert flash(response) == [
        "0 people invited to register.",
        f"Skipped, already invited (use reminders instead): {ada.full_name}.",
    ]
    # Another program may invite the same person.
    other = RosterProgramFactory()
    assert invite_to_program(other, [ada]).invited == [ada]


def test_invite_whole_department_skips_leavers_and_registered_people(manager_client, program):
    sales = DepartmentFactory(name="Sales")
    ada = PersonFactory(department=sales)
    grace = PersonFactory(department=sales)
    PersonFactory(department=sales, is_active=False)
    PersonFactory(department=DepartmentFactory(name="Finance"))
    ParticipantRowFactory(program=program, person=grace, role=Role.MENTEE)

    response = manager_client.post(
        invite_url(program), {"action": "invite", "departments": [sales.pk]}
    )
    assert list(
        ProgramInvitation.objects.filter(program=program).values_list("person", flat=True)
    ) == [ada.pk]
    assert [m.to for m in mail.outbox] == [[ada.email]]
    assert f"Skipped, already registered: {grace.full_name}." in flash(response)


def test_invite_service_skips_people_who_have_left(program):
    gone = PersonFactory(is_active=False)
    batch = invite_to_program(program, [gone])
    assert batch.inactive == [gone]
    assert not ProgramInvitation.objects.exists()


def test_unknown_people_are_reported_and_nobody_is_invited(manager_client, program):
    ada = PersonFactory(email="ada@example.com")
    response = manager_client.post(
        invite_url(program),
        {"action": "invite", "identifiers": "ada@example.com, nobody@example.com, E-NOPE"},
    )
    assert response.status_code == 200
    assert "Not in the directory: nobody@example.com, E-NOPE." in page_text(response)
    assert not ProgramInvitation.objects.filter(person=ada).exists()
    assert mail.outbox == []


def test_invite_needs_someone(manager_client, program):
    response = manager_client.post(invite_url(program), {"action": "invite"})
    assert "List at least one person or choose a department." in page_text(response)


def test_invite_role_must_be_one_of_the_programs(manager_client, manager):
    peers = RosterProgramFactory(slug="peers", format=Format.PEER, managed_by=[manager])
    ada = PersonFactory()
    response = manager_client.post(
        invite_url(peers), {"action": "invite", "identifiers": ada.email, "role": "mentor"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not ProgramInvitation.objects.exists()
    with pytest.raises(InvitationError, match="peer program"):
        invite_to_program(peers, [ada], role=Role.MENTOR)


# --- Reminders ---------------------------------------------------------------------------------


def test_reminders_go_to_people_who_have_not_registered(program, manager):
    waiting = ProgramInvitationFactory(program=program)
    registered = ProgramInvitationFactory(program=program)
    ParticipantRowFactory(program=program, person=registered.person, role=Role.MENTOR)
    withdrew = ProgramInvitationFactory(program=program)
    ParticipantRowFactory(
        program=program, person=withdrew.person, status=ParticipantStatus.WITHDRAWN
    )
    left = ProgramInvitationFactory(program=program, person=PersonFactory(is_active=False))
    elsewhere = ProgramInvitationFactory(program=program)
    ParticipantRowFactory(person=elsewhere.person)  # registered for another program only
    age_invitations(program, 4)

    batch = remind_invited(program, by=manager)

    assert sorted(i.pk for i in batch.reminded) == sorted([waiting.pk, elsewhere.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [waiting.person.email, elsewhere.person.email]
    )
    message = next(m for m in mail.outbox if m.to == [waiting.person.email])
    assert message.subject == "Reminder: register for Leaders & Learners"
    assert reverse("programs:landing", args=[program.slug]) in message.body
    for invitation, count in ((waiting, 1), (registered, 0), (withdrew, 0), (left, 0)):
        invitation.refresh_from_db()
        assert invitation.reminder_count == count
        assert (invitation.reminded_at is not None) == bool(count)


def test_reminders_are_at_least_three_days_apart(program):
    invitation = ProgramInvitationFactory(program=program)
    now = timezone.now()

    # Just invited: the invitation itself was the last email.
    assert remind_invited(program, now=now).reminded == []
    assert remind_invited(program, now=now + 3 * DAY - datetime.timedelta(minutes=1)).not_due == 1

    assert len(remind_invited(program, now=now + 3 * DAY).reminded) == 1
    assert remind_invited(program, now=now + 5 * DAY).reminded == []  # reminded 2 days ago
    assert len(remind_invited(program, now=now + 6 * DAY).reminded) == 1

    invitation.refresh_from_db()
    assert invitation.reminder_count == 2
    assert invitation.reminded_at == now + 6 * DAY
    assert len(mail.outbox) == 2


def test_send_reminders_button_reports_sent_and_skipped(manager_client, program):
    ProgramInvitationFactory.create_batch(2, program=program)
    age_invitations(program, 10)
    ProgramInvitationFactory(program=program)  # invited just now

    response = manager_client.post(invite_url(program), {"action": "remind_all"}, follow=True)
    assert response.redirect_chain == [(invite_url(program), 302)]
    assert (
        "2 reminders sent. 1 person was emailed less than 3 days ago and will not hear from "
        "us again yet." in page_text(response)
    )
    assert len(mail.outbox) == 2
    response = manager_client.post(invite_url(program), {"action": "remind_all"})
    assert len(mail.outbox) == 2  # pressing again sends nothing new
    assert flash(response)[0].startswith("0 reminders sent.")


def test_remind_selected_invitations(manager_client, program):
    chosen, _other = ProgramInvitationFactory.create_batch(2, program=program)
    age_invitations(program, 4)
    response = manager_client.post(
        reverse("enrolment:bulk_action", args=[program.slug]),
        {"action": "remind", "invitation": [chosen.pk]},
    )
    assert response.url == invite_url(program)
    assert [m.to for m in mail.outbox] == [[chosen.person.email]]
    assert flash(response) == ["1 reminder sent."]


def test_remind_refuses_another_programs_invitation(manager_client, program):
    mine = ProgramInvitationFactory(program=program)
    foreign = ProgramInvitationFactory()
    ProgramInvitation.objects.update(invited_at=timezone.now() - 10 * DAY)
    response = manager_client.post(
        reverse("enrolment:bulk_action", args=[program.slug]),
        {"action": "remind", "invitation": [mine.pk, foreign.pk]},
    )
    assert mail.outbox == []
    assert "not for this program; nothing was sent" in flash(response)[0]
    foreign.refresh_from_db()
    assert foreign.reminder_count == 0


def test_invite_page_lists_people_waiting_to_register(manager_client, program):
    waiting = ProgramInvitationFactory(program=program, role=Role.MENTEE)
    registered = ProgramInvitationFactory(program=program)
    ParticipantRowFactory(program=program, person=registered.person)
    age_invitations(program, 4)
    ProgramInvitationFactory(program=program, person=PersonFactory(first_name="Recent"))

    response = manager_client.get(invite_url(program))
    text = page_text(response)
    html = response.content.decode()
    assert "2 people have not registered yet" in text
    assert waiting.person.full_name in text
    assert registered.person.full_name not in text
    assert f'name="invitation" value="{waiting.pk}"><span class="visually-hidden">' in html
    assert "emailed recently" in text  # the one invited just now cannot be reminded yet
    assert 'formaction="' + invite_url(program) + '"' in html
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_no_invitations_or_reminders_while_registration_is_not_open(program, status):
    ProgramInvitationFactory(program=program)
    program.status = status
    program.save()
    with pytest.raises(InvitationError, match="only while registration is open"):
        invite_to_program(program, [PersonFactory()])
    with pytest.raises(InvitationError, match="only while registration is open"):
        remind_invited(program, now=timezone.now() + datetime.timedelta(days=10))
    assert ProgramInvitation.objects.count() == 1
    assert mail.outbox == []


def test_people_without_an_account_get_a_sign_up_link_that_leads_to_the_program(
    client, program, settings
):
    import re

    from tests.factories import ParticipantFactory
    from trellis.accounts.models import User

    settings.SITE_URL = "http://testserver"
    newcomer = PersonFactory(first_name="Nia", email="nia@example.com")
    member = ParticipantFactory()
    invite_to_program(program, [newcomer, member.person])

    to_newcomer = next(m for m in mail.outbox if m.to == [newcomer.email])
    to_member = next(m for m in mail.outbox if m.to == [member.email])
    assert "choose your password" in to_newcomer.body.lower()
    assert "/accounts/invite/" not in to_member.body  # has an account: just the program page
    link = re.search(r"http://testserver(/accounts/invite/\S+)", to_newcomer.body).group(1)

    response = client.post(
        link, {"password1": "a sturdy passphrase", "password2": "a sturdy passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:landing", args=[program.slug])
    assert User.objects.get(email="nia@example.com").person == newcomer


def test_the_sign_up_link_never_redirects_off_site(client):
    from trellis.accounts.services import create_sign_up_link

    person = PersonFactory()
    link = create_sign_up_link(person)
    path = link.url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        f"/{path}?next=https://evil.example/",
        {"password1": "a sturdy passphrase", "password2": "a sturdy passphrase"},
    )
    assert response["Location"] == reverse("core:home")
