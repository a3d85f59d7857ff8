"""Reads of mentorships."""

from dataclasses import dataclass

from django.db.models import Q

from .models import RUNNING, Mentorship


@dataclass(frozen=True)
class MyMentorship:
    mentorship: Mentorship
    partner: object  # the other person
    partner_role: str  # "mentor" or "mentee", the partner's role
    confirmed_by_me: bool = False  # hybrid proposals: this person has confirmed


def mentorships_of(person_id: int | None, program=None) -> list[MyMentorship]:
    """This person's running mentorships (in one program, or all), with the partner."""
    if not person_id:
        return []
    rows = Mentorship.objects.filter(
        Q(mentor__person_id=person_id) | Q(mentee__person_id=person_id),
        status__in=RUNNING,
    ).select_related("program", "mentor__person", "mentee__person")
    if program is not None:
        rows = rows.filter(program=program)
    out = []
    for m in rows:
        if m.mentee.person_id == person_id:
            out.append(MyMentorship(m, m.mentor.person, "mentor", bool(m.mentee_confirmed_at)))
        else:
            out.append(MyMentorship(m, m.mentee.person, "mentee", bool(m.mentor_confirmed_at)))
    return out
