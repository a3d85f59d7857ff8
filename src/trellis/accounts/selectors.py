"""Reads about accounts and invitations."""

from trellis.people.models import Person

from .models import Invitation, User


def recent_invitations(limit: int = 25):
    return Invitation.objects.select_related("person", "invited_by")[:limit]


def account_coverage() -> dict[str, int]:
    active_people = Person.objects.active().count()
    with_account = User.objects.filter(person__is_active=True).count()
    return {
        "active_people": active_people,
        "with_account": with_account,
        "without_account": active_people - with_account,
    }
