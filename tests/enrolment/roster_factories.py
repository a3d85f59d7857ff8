"""Factories, fixtures and helpers for the manager pages' tests (roster, export, supply and
demand, invitations). Test modules import the fixtures they use from here."""

import factory
import pytest
from django.contrib.messages import get_messages

from tests import factories
from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    PersonFactory,
    ProgramManagerFactory,
    SkillFactory,
)
from tests.helpers import page_text  # noqa: F401 (re-exported for the tests here)
from trellis.enrolment.models import ParticipantStatus
from trellis.programs.models import Criterion, QuestionKind, Role, Status


class RosterProgramFactory(factories.ProgramFactory):
    name = factory.Sequence(lambda n: f"Mentoring program {n}")
    slug = factory.Sequence(lambda n: f"mentoring-{n}")
    status = Status.ENROLLING
    mentor_capacity = 2


class QuestionFactory(factories.QuestionFactory):
    program = factory.SubFactory(RosterProgramFactory)
    is_required = False


class ParticipantRowFactory(factories.RegistrationFactory):
    """A registration row written directly (the registration flow has its own tests)."""

    program = factory.SubFactory(RosterProgramFactory)


class ProgramInvitationFactory(factories.ProgramInvitationFactory):
    program = factory.SubFactory(RosterProgramFactory)


def listed(response) -> list[str]:
    return [p.person.full_name for p in response.context["page_obj"].object_list]


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def manager(db):
    return ProgramManagerFactory()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def roster(manager):
    """A small program: one mentor, three mentees in different states, a few questions."""
    program = RosterProgramFactory(name="Career mentoring", slug="career", managed_by=[manager])
    engineering = DepartmentFactory(name="Engineering")
    finance = DepartmentFactory(name="Finance")
    london = LocationFactory(name="London")
    lisbon = LocationFactory(name="Lisbon", time_zone="Europe/Lisbon")
    python = SkillFactory(name="Python")
    sql = SkillFactory(name="SQL")
    format_question = QuestionFactory(
        program=program,
        kind=QuestionKind.SINGLE_CHOICE,
        label="How do you prefer to meet?",
        choices=["In person", "Video call"],
    )
    topics = QuestionFactory(
        program=program,
        kind=QuestionKind.MULTIPLE_CHOICE,
        role=Role.MENTEE,
        label="Topics",
        choices=["Career", "Leadership", "Technical"],
    )
    skills_sought = QuestionFactory(
        program=program,
        kind=QuestionKind.SKILLS,
        role=Role.MENTEE,
        label="Skills you want to grow",
        criterion=Criterion.SKILLS_SOUGHT,
    )
    relocate = QuestionFactory(
        program=program, kind=QuestionKind.YES_NO, label="Open to relocating?"
    )
    private = QuestionFactory(
        program=program,
        kind=QuestionKind.LONG_TEXT,
        label="Anything the managers should know?",
        is_private=True,
    )

    def person(first, last, department, location):
        return PersonFactory(
            first_name=first,
            last_name=last,
            department=department,
            location=location,
            email=f"{first.lower()}.{last.lower()}@example.com",
        )

    ada = ParticipantRowFactory(
        program=program,
        person=person("Ada", "Lovelace", engineering, london),
        role=Role.MENTOR,
        status=ParticipantStatus.APPROVED,
        answers={str(format_question.pk): "In person", str(relocate.pk): False},
    )
    grace = ParticipantRowFactory(
        program=program,
        person=person("Grace", "Hopper", engineering, lisbon),
        role=Role.MENTEE,
        status=ParticipantStatus.APPLIED,
        answers={
            str(format_question.pk): "Video call",
            str(topics.pk): ["Career", "Leadership"],
            str(skills_sought.pk): [python.pk, sql.pk],
            str(private.pk): "I am going through a difficult reorganisation.",
        },
    )
    mary = ParticipantRowFactory(
        program=program,
        person=person("Mary", "Jackson", finance, lisbon),
        role=Role.MENTEE,
        status=ParticipantStatus.WAITLISTED,
        answers={
            str(topics.pk): ["Technical"],
            str(skills_sought.pk): [sql.pk],
            str(relocate.pk): True,
        },
    )
    alan = ParticipantRowFactory(
        program=program,
        person=person("Alan", "Turing", finance, london),
        role=Role.MENTEE,
        status=ParticipantStatus.WITHDRAWN,
    )
    other_program = RosterProgramFactory(name="Other program", slug="other")
    stranger = ParticipantRowFactory(
        program=other_program,
        person=person("Olive", "Stranger", engineering, london),
        role=Role.MENTEE,
        status=ParticipantStatus.APPLIED,
    )
    return {
        "program": program,
        "ada": ada,
        "grace": grace,
        "mary": mary,
        "alan": alan,
        "stranger": stranger,
        "other_program": other_program,
        "engineering": engineering,
        "finance": finance,
        "london": london,
        "lisbon": lisbon,
        "python": python,
        "sql": sql,
        "format": format_question,
        "topics": topics,
        "skills_sought": skills_sought,
        "relocate": relocate,
        "private": private,
    }
