"""When registration is open: cohort programs within their window, evergreen ones always."""

import datetime

import pytest

from tests.enrolment.conftest import ProgramFactory
from tests.factories import PersonFactory
from trellis.enrolment.models import Participant
from trellis.enrolment.services import (
    EnrolmentError,
    enrol_participant,
    enrolment_closed_reason,
    is_enrolment_open,
)
from trellis.programs.models import ProgramModel, Role, Status

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2026, 9, 1)
CLOSES = datetime.date(2026, 9, 30)


@pytest.fixture
def cohort():
    return ProgramFactory(
        model=ProgramModel.COHORT,
        status=Status.ENROLLING,
        enrolment_opens_on=OPENS,
        enrolment_closes_on=CLOSES,
    )


def test_cohort_is_open_within_its_window_both_ends_included(cohort):
    day = datetime.timedelta(days=1)
    assert not is_enrolment_open(cohort, OPENS - day)
    assert is_enrolment_open(cohort, OPENS)
    assert is_enrolment_open(cohort, CLOSES)
    assert not is_enrolment_open(cohort, CLOSES + day)
    assert enrolment_closed_reason(cohort, OPENS - day) == "Registration opens on 1 September 2026."
    assert (
        enrolment_closed_reason(cohort, CLOSES + day) == "Registration closed on 30 September 2026."
    )


def test_cohort_without_dates_is_open_while_enrolling():
    program = ProgramFactory(model=ProgramModel.COHORT, status=Status.ENROLLING)
    assert is_enrolment_open(program, datetime.date(2030, 1, 1))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.DRAFT, "has not opened yet"),
        (Status.MATCHING, "the cohort is under way"),
        (Status.ACTIVE, "the cohort is under way"),
        (Status.CLOSED, "has ended"),
    ],
)
def test_cohort_is_closed_outside_the_enrolling_status_even_within_its_window(
    cohort, status, reason
):
    cohort.status = status
    assert not is_enrolment_open(cohort, OPENS)
    assert reason in enrolment_closed_reason(cohort, OPENS)


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (Status.DRAFT, False),
        (Status.ENROLLING, True),
        (Status.MATCHING, True),
        (Status.ACTIVE, True),
        (Status.CLOSED, False),
    ],
)
def test_evergreen_ignores_dates_and_stays_open_while_running(status, is_open):
    program = ProgramFactory(
        model=ProgramModel.EVERGREEN,
        status=status,
        enrolment_opens_on=OPENS,
        enrolment_closes_on=CLOSES,
    )
    assert is_enrolment_open(program, CLOSES + datetime.timedelta(days=400)) is is_open


def test_enrolling_outside_the_window_is_refused_and_saves_nothing(cohort):
    with pytest.raises(EnrolmentError, match=r"Registration closed on 30 September 2026\."):
        enrol_participant(
            cohort,
            PersonFactory(),
            Role.MENTEE,
            {},
            consented=False,
            today=datetime.date(2026, 10, 1),
        )
    assert not Participant.objects.exists()


def test_enrolling_inside_the_window_succeeds(cohort):
    participant = enrol_participant(
        cohort, PersonFactory(), Role.MENTOR, {}, consented=False, today=CLOSES
    )
    assert participant.pk is not None
