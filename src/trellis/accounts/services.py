"""Account actions: invitations for directory people, and accepting them.

Views, the CLI and (later) SCIM provisioning call these; they own the transactions and emails.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from trellis.notifications.services import send_templated_email
from trellis.people.models import Person

from .models import Invitation, Role, User


class InvitationError(Exception):
    """An invitation cannot be used; the message says why, for the person holding the link."""


@dataclass(frozen=True)
class InvitationBatch:
    invited: list[Person]
    skipped_with_account: list[Person]
    skipped_inactive: list[Person]


def _invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])


@dataclass(frozen=True)
class SignUpLink:
    url: str
    expires_at: datetime


def people_without_account(people: Iterable[Person]) -> set[int]:
    """Ids of the given people whose address and record no account uses yet."""
    people = list(people)
    with_account = set(User.objects.filter(person__in=people).values_list("person_id", flat=True))
    # An account may already use the address (an earlier employee's, or a separate IT account):
    # an invitation must never hand that account to someone else.
    emails_with_account = set(
        User.objects.annotate(lowered=Lower("email"))
        .filter(lowered__in=[person.email.lower() for person in people])
        .values_list("lowered", flat=True)
    )
    return {
        person.pk
        for person in people
        if person.pk not in with_account and person.email.lower() not in emails_with_account
    }


def create_sign_up_link(
    person: Person, *, role: str = Role.PARTICIPANT, invited_by: User | None = None
) -> SignUpLink:
    """A new one-time sign-up link for the person; earlier unused links stop working.

    The caller checks the person may have one (active, no account: people_without_account)
    and sends it.
    """
    now = timezone.now()
    Invitation.objects.filter(
        person=person, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    Invitation.objects.create(
        person=person,
        email=person.email,
        role=role,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=expires_at,
    )
    return SignUpLink(_invitation_url(token), expires_at)


def invite_people(
    people: Iterable[Person], *, role: str = Role.PARTICIPANT, invited_by: User | None = None
) -> InvitationBatch:
    """Send a one-time sign-up link to each active person who has no account yet.

    Earlier unused invitations for the same people are revoked, so only the newest link works.
    """
    people = list(people)
    may_sign_up = people_without_account(people)
    invited: list[Person] = []
    skipped_with_account: list[Person] = []
    skipped_inactive: list[Person] = []
    inviter_name = invited_by.get_full_name() if invited_by else settings.ORGANISATION_NAME
    with transaction.atomic():
        for person in people:
            if not person.is_active:
                skipped_inactive.append(person)
                continue
            if person.pk not in may_sign_up:
                skipped_with_account.append(person)
                continue
            link = create_sign_up_link(person, role=role, invited_by=invited_by)
            # The database-backed queue enqueues inside this transaction: the email exists
            # exactly when the invitation does.
            send_templated_email(
                "invitation",
                person.email,
                {
                    "first_name": person.first_name,
                    "inviter_name": inviter_name,
                    "invitation_url": link.url,
                    "expires_at": link.expires_at,
                },
            )
            invited.append(person)
    return InvitationBatch(invited, skipped_with_account, skipped_inactive)


def find_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("person")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Ask your administrator for a new one."
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has already been used. Sign in with your email and password."
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            "This invitation was replaced by a newer one. Use the most recent email."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError("This invitation has expired. Ask your administrator for a new one.")
    if not invitation.person.is_active:
        raise InvitationError("This person is no longer active in the directory.")
    return invitation


def accept_invitation(token: str, password: str) -> User:
    """Create the account for the invited person, set the password, and use up the link."""
    with transaction.atomic():
        invitation = find_invitation(token)
        # Lock the row: a link clicked twice at once must create one account.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationError("This invitation has already been used.")
        person = invitation.person
        if User.objects.filter(Q(email__iexact=person.email) | Q(person=person)).exists():
            # Never take over (or switch back on) an existing account: it may be a former
            # colleague's with the same address, with their role and programs.
            raise InvitationError(
                "An account already exists for this email address. Sign in with it, or ask "
                "your administrator to sort it out."
            )
        user = User(email=person.email.lower(), role=invitation.role, person=person)
        user.set_password(password)
        user.save()
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user
