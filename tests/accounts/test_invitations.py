import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, ParticipantFactory, PersonFactory
from trellis.accounts.models import Invitation, Role, User
from trellis.accounts.services import InvitationError, accept_invitation, invite_people

pytestmark = pytest.mark.django_db


def _token(message) -> str:
    match = re.search(r"/accounts/invite/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_admin_invites_a_department_and_each_person_gets_a_one_time_link(admin_client_):
    sales = DepartmentFactory(name="Sales")
    people = PersonFactory.create_batch(3, department=sales)
    PersonFactory(department=sales, is_active=False)
    response = admin_client_.post(
        reverse("accounts:invitations"),
        {"department": sales.pk, "role": Role.PARTICIPANT},
        follow=True,
    )
    assert "3 invitation(s) sent." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Invitation.objects.count() == 3
    # Only the hash is stored, never the token itself.
    token = _token(mail.outbox[0])
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=Invitation.hash_token(token)).exists()


def test_invited_person_sets_a_password_and_is_signed_in(client):
    person = PersonFactory(email="lin@example.com")
    invite_people([person], role=Role.PROGRAM_MANAGER)
    token = _token(mail.outbox[0])
    url = reverse("accounts:accept_invitation", args=[token])
    assert person.first_name in client.get(url).content.decode()
    response = client.post(
        url, {"password1": "a sturdy passphrase", "password2": "a sturdy passphrase"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="lin@example.com")
    assert user.person == person
    assert user.role == Role.PROGRAM_MANAGER
    assert user.check_password("a sturdy passphrase")
    assert client.get(reverse("core:home")).context["user"] == user
    # Used once: the link now explains itself instead of working again.
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_weak_password_is_refused_on_acceptance(client):
    person = PersonFactory()
    invite_people([person])
    url = reverse("accounts:accept_invitation", args=[_token(mail.outbox[0])])
    response = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert not User.objects.filter(person=person).exists()


def test_expired_and_replaced_invitations_do_not_work():
    person = PersonFactory()
    invite_people([person])
    first = _token(mail.outbox[0])
    invite_people([person])
    second = _token(mail.outbox[1])
    with pytest.raises(InvitationError, match="replaced"):
        accept_invitation(first, "a sturdy passphrase")
    Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(InvitationError, match="expired"):
        accept_invitation(second, "a sturdy passphrase")
    assert not User.objects.filter(person=person).exists()


def test_people_with_accounts_are_not_invited_again():
    user = ParticipantFactory()
    batch = invite_people([user.person])
    assert batch.invited == []
    assert batch.skipped_with_account == [user.person]
    assert mail.outbox == []


def test_unknown_people_in_the_list_are_named(admin_client_):
    PersonFactory(email="known@example.com")
    response = admin_client_.post(
        reverse("accounts:invitations"),
        {"identifiers": "known@example.com; ghost@example.com", "role": Role.PARTICIPANT},
    )
    assert "Not in the directory: ghost@example.com" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_participant_cannot_open_or_post_invitations(participant_client):
    person = PersonFactory()
    assert participant_client.get(reverse("accounts:invitations")).status_code == 403
    response = participant_client.post(
        reverse("accounts:invitations"), {"identifiers": person.email, "role": Role.ADMIN}
    )
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_an_invitation_never_hands_over_an_existing_account():
    # A former admin left; their address now belongs to a new hire's directory record.
    former = ParticipantFactory(email="sam@example.com", role=Role.ADMIN, is_active=False)
    former.person.is_active = False
    former.person.save()
    newcomer = PersonFactory(email="Sam@Example.com")
    batch = invite_people([newcomer])
    assert batch.invited == [] and batch.skipped_with_account == [newcomer]

    # Even an invitation made before the clash cannot take the account over.
    former.email = "sam.old@example.com"
    former.save()
    invite_people([newcomer])
    former.email = "sam@example.com"
    former.save()
    with pytest.raises(InvitationError, match="already exists"):
        accept_invitation(_token(mail.outbox[-1]), "a sturdy passphrase")
    former.refresh_from_db()
    assert not former.is_active and former.person != newcomer


def test_invitation_form_finds_directory_emails_whatever_their_case(admin_client_):
    PersonFactory(email="Ada.Lovelace@Example.com")
    response = admin_client_.post(
        reverse("accounts:invitations"),
        {"identifiers": "ada.lovelace@example.com", "role": Role.PARTICIPANT},
        follow=True,
    )
    assert "1 invitation(s) sent." in response.content.decode()
