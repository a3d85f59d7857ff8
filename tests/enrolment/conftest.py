"""Factories and fixtures for registration tests: programs, questions and registration rows.

(`tests/factories.py` is shared by the whole suite; these belong to programs and enrolment.)
"""

import re
from html import unescape

import factory
import pytest
from factory.django import DjangoModelFactory

from tests.factories import ParticipantFactory, PersonFactory, ProgramManagerFactory
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.programs.models import Program, ProgramModel, Question, QuestionKind, Role, Status


class ProgramFactory(DjangoModelFactory):
    """An open cohort program (enrolling, no window dates) with one place per mentor."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Career mentoring {n}")
    slug = factory.Sequence(lambda n: f"career-mentoring-{n}")
    status = Status.ENROLLING
    model = ProgramModel.COHORT
    mentor_capacity = 1

    @factory.post_generation
    def managed_by(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    program = factory.SubFactory(ProgramFactory)
    kind = QuestionKind.SHORT_TEXT
    label = factory.Sequence(lambda n: f"Question {n}")
    is_required = True
    position = factory.Sequence(lambda n: n)


class RegistrationFactory(DjangoModelFactory):
    """A registration row written directly, bypassing the enrolment service."""

    class Meta:
        model = Participant

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.MENTEE
    status = ParticipantStatus.APPROVED
    answers = factory.LazyFunction(dict)


def page_text(response) -> str:
    """The page's visible text, tags stripped and white space collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def manager(db, program):
    """A program manager who manages `program`."""
    user = ProgramManagerFactory()
    program.managers.add(user)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def member(db):
    """A participant account linked to a directory person (level 3, hired March 2021)."""
    return ParticipantFactory()
