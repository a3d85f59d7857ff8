"""Reads behind registration: a role's questions in form order, a person's registrations.

(The program managers' roster reads live beside their views.)
"""

from django.db.models import Q

from trellis.people.models import Person
from trellis.programs.models import Program, Question

from .models import Participant


def registration_questions(program: Program, role: str) -> list[Question]:
    """The questions a person registering in `role` answers, in the order they see them:
    the questions asked of every role first, then the role's own, each by position."""
    questions = Question.objects.filter(Q(role="") | Q(role=role), program=program)
    return sorted(questions, key=lambda q: (q.role != "", q.position, q.pk))


def questions_by_role(program: Program) -> dict[str, list[Question]]:
    """Every question of the program, grouped by role ("" for every role), each by position."""
    grouped: dict[str, list[Question]] = {}
    for question in Question.objects.filter(program=program).order_by("position", "pk"):
        grouped.setdefault(question.role, []).append(question)
    return grouped


def person_registrations(program: Program, person: Person | None) -> list[Participant]:
    """The person's registrations in this program, whatever their status, by role."""
    if person is None:
        return []
    return list(Participant.objects.filter(program=program, person=person).order_by("role"))


def previous_answers(program: Program, person: Person, role: str) -> dict:
    """Answers from an earlier (withdrawn) registration in this role, to prefill the form."""
    participant = (
        Participant.objects.filter(program=program, person=person, role=role)
        .only("answers")
        .first()
    )
    return participant.answers if participant else {}


def answer_count(question: Question) -> int:
    """How many registrations hold an answer to this question."""
    return Participant.objects.filter(
        program_id=question.program_id, answers__has_key=str(question.pk)
    ).count()
