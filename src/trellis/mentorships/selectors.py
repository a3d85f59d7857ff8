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
    circle_mates: tuple = ()  # circles: the other members of the circle


def mentorships_of(person_id: int | None, program=None) -> list[MyMentorship]:
    """This person's running mentorships (in one program, or all), with the partner."""
    if not person_id:
        return []
    rows = Mentorship.objects.filter(
        Q(mentor__person_id=person_id) | Q(mentee__person_id=person_id),
        status__in=RUNNING,
    ).select_related(
        "program",
        "mentor__person__department",
        "mentee__person__department",
    )
    if program is not None:
        rows = rows.filter(program=program)
    out = []
    for m in rows:
        peer = m.mentor.role == "peer"
        if m.mentee.person_id == person_id:
            mates: tuple = ()
            if m.circle is not None:
                mates = tuple(
                    other.mentee.person
                    for other in Mentorship.objects.filter(
                        mentor=m.mentor, circle=m.circle, status__in=RUNNING
                    )
                    .exclude(pk=m.pk)
                    .select_related("mentee__person")
                )
            role = "peer" if peer else "circle leader" if m.circle is not None else "mentor"
            out.append(MyMentorship(m, m.mentor.person, role, bool(m.mentee_confirmed_at), mates))
        else:
            role = "peer" if peer else "circle member" if m.circle is not None else "mentee"
            out.append(MyMentorship(m, m.mentee.person, role, bool(m.mentor_confirmed_at)))
    return out
