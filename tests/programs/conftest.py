"""Factories and fixtures for the programs tests: programs made from the built-in templates,
registrations, and clients signed in as a program's manager or as another program's manager.

(`tests/factories.py` is shared by the whole suite; these belong to the programs app.)
"""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (  # noqa: F401 (re-exported for the programs tests)
    PersonFactory,
    ProgramFactory,
    ProgramManagerFactory,
    QuestionFactory,
    RegistrationFactory,
)
from tests.helpers import page_text  # noqa: F401 (re-exported for the tests here)
from trellis.programs.models import Program, ProgramTemplate, Status
from trellis.programs.services import create_program_from_template, sync_builtin_templates

# A fixed "today" for the functions that take one; pages use the real date.
TODAY = datetime.date(2027, 3, 1)


@pytest.fixture
def builtin_templates(db) -> dict[str, ProgramTemplate]:
    """key -> built-in template row (synced from the files, as migrate does)."""
    sync_builtin_templates()
    return {t.key: t for t in ProgramTemplate.objects.filter(is_builtin=True)}


@pytest.fixture
def make_program(builtin_templates, program_manager):
    """make_program(key="career-mentoring", status=..., **overrides) -> Program managed by
    `program_manager`. Cohort programs get an open window and dates around today unless given."""

    def make(key: str = "career-mentoring", *, status: str = Status.DRAFT, **overrides):
        template = builtin_templates[key]
        today = timezone.localdate()
        if template.definition["model"] == "cohort":
            overrides.setdefault("enrolment_opens_on", today - datetime.timedelta(days=7))
            overrides.setdefault("enrolment_closes_on", today + datetime.timedelta(days=14))
            overrides.setdefault("starts_on", today + datetime.timedelta(days=21))
        program = create_program_from_template(
            template,
            name=overrides.pop("name", template.name),
            created_by=program_manager,
            **overrides,
        )
        if status != Status.DRAFT:
            Program.objects.filter(pk=program.pk).update(status=status)
            program.refresh_from_db()
        return program

    return make


@pytest.fixture
def manager_client(client, program_manager):
    client.force_login(program_manager)
    return client


@pytest.fixture
def other_manager_client(client, db):
    """Signed in as a program manager who manages none of the programs under test."""
    client.force_login(ProgramManagerFactory())
    return client
