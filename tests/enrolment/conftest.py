"""Factories and fixtures for registration tests: programs, questions and registration rows.

(`tests/factories.py` is shared by the whole suite; these belong to programs and enrolment.)
"""

import factory
import pytest

from tests import factories
from tests.factories import ParticipantFactory, ProgramManagerFactory
from tests.helpers import page_text  # noqa: F401 (re-exported for the tests here)
from trellis.programs.models import ProgramModel, Status


class ProgramFactory(factories.ProgramFactory):
    """An open cohort program (enrolling, no window dates) with one place per mentor."""

    name = factory.Sequence(lambda n: f"Career mentoring {n}")
    slug = factory.Sequence(lambda n: f"career-mentoring-{n}")
    status = Status.ENROLLING
    model = ProgramModel.COHORT
    mentor_capacity = 1


class QuestionFactory(factories.QuestionFactory):
    program = factory.SubFactory(ProgramFactory)


class RegistrationFactory(factories.RegistrationFactory):
    program = factory.SubFactory(ProgramFactory)


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
