"""Shared set-up of the matching tests: a program in Matching and its participants."""

import pytest

from tests.factories import (
    PersonFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    SkillFactory,
)
from trellis.programs.models import Criterion as AnswerCriterion
from trellis.programs.models import QuestionKind, Role, Status

SKILLS = ["python", "negotiation", "sql", "public speaking", "budgeting", "hiring"]


@pytest.fixture
def program(program_manager):
    program = ProgramFactory(
        status=Status.MATCHING,
        mentor_capacity=2,
        matching_weights={"skills": 3, "department": 1, "seniority": 1},
        matching_options={"department": {"prefer": "different"}},
        managed_by=[program_manager],
    )
    return program


def _people(program, mentees=8, mentors=4, capacity=2):
    skills = [SkillFactory(name=name) for name in SKILLS]
    sought = QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.SKILLS,
        criterion=AnswerCriterion.SKILLS_SOUGHT,
    )
    offered = QuestionFactory(
        program=program,
        role=Role.MENTOR,
        kind=QuestionKind.SKILLS,
        criterion=AnswerCriterion.SKILLS_OFFERED,
    )
    mentor_rows = []
    for k in range(mentors):
        person = PersonFactory(level=6)
        chosen = [skills[(k + t) % len(skills)].pk for t in range(3)]
        mentor_rows.append(
            RegistrationFactory(
                program=program,
                person=person,
                role=Role.MENTOR,
                capacity=capacity,
                answers={str(offered.pk): chosen},
            )
        )
    mentee_rows = []
    for k in range(mentees):
        person = PersonFactory(level=2)
        chosen = [skills[(k * 2 + t) % len(skills)].pk for t in range(2)]
        mentee_rows.append(
            RegistrationFactory(
                program=program, person=person, role=Role.MENTEE, answers={str(sought.pk): chosen}
            )
        )
    return mentee_rows, mentor_rows
