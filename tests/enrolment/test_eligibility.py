"""Who may register in which role: level, tenure, scope, activity, earlier registrations."""

import datetime

import pytest

from tests.enrolment.conftest import ProgramFactory, RegistrationFactory
from tests.factories import DepartmentFactory, LocationFactory, PersonFactory
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.enrolment.services import (
    EnrolmentError,
    check_eligibility,
    describe_months,
    enrol_participant,
    tenure_months,
)
from trellis.programs.models import Format, Role

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def test_anyone_active_is_eligible_without_rules():
    program = ProgramFactory()
    person = PersonFactory(level=None, hire_date=None, department=None, location=None)
    assert check_eligibility(program, person, Role.MENTOR, today=TODAY) == []
    assert check_eligibility(program, person, Role.MENTEE, today=TODAY) == []


def test_mentor_must_reach_the_minimum_level():
    program = ProgramFactory(mentor_min_level=5)
    assert check_eligibility(program, PersonFactory(level=5), Role.MENTOR, today=TODAY) == []
    reasons = check_eligibility(program, PersonFactory(level=4), Role.MENTOR, today=TODAY)
    assert reasons == ["Mentors need level 5 or above; the directory has you at level 4."]
    # The level rule is about mentors: a junior mentee is welcome.
    assert check_eligibility(program, PersonFactory(level=1), Role.MENTEE, today=TODAY) == []


def test_mentor_without_a_recorded_level_is_told_to_ask_for_it():
    program = ProgramFactory(mentor_min_level=5)
    [reason] = check_eligibility(program, PersonFactory(level=None), Role.MENTOR, today=TODAY)
    assert "no level for you" in reason and "administrator" in reason


def test_mentor_needs_the_minimum_tenure_counted_in_whole_months():
    program = ProgramFactory(mentor_min_tenure_months=24)
    two_years = PersonFactory(hire_date=datetime.date(2024, 11, 25))
    a_day_short = PersonFactory(hire_date=datetime.date(2024, 11, 26))
    assert check_eligibility(program, two_years, Role.MENTOR, today=TODAY) == []
    assert check_eligibility(program, a_day_short, Role.MENTOR, today=TODAY) == [
        "Mentors need at least 2 years with the organisation; you have 1 year and 11 months."
    ]
    no_date = PersonFactory(hire_date=None)
    [reason] = check_eligibility(program, no_date, Role.MENTOR, today=TODAY)
    assert "no hire date for you" in reason


def test_tenure_helpers():
    assert tenure_months(datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)) == 0
    assert tenure_months(datetime.date(2026, 1, 31), datetime.date(2026, 3, 31)) == 2
    assert tenure_months(datetime.date(2027, 1, 1), TODAY) == 0  # not started yet
    assert describe_months(1) == "1 month"
    assert describe_months(12) == "1 year"
    assert describe_months(30) == "2 years and 6 months"
    assert describe_months(0) == "0 months"


def test_mentee_must_not_exceed_the_maximum_level():
    program = ProgramFactory(mentee_max_level=4)
    assert check_eligibility(program, PersonFactory(level=4), Role.MENTEE, today=TODAY) == []
    assert check_eligibility(program, PersonFactory(level=6), Role.MENTEE, today=TODAY) == [
        "Mentees are at level 4 or below; the directory has you at level 6."
    ]
    assert check_eligibility(program, PersonFactory(level=6), Role.MENTOR, today=TODAY) == []


def test_department_and_location_scope():
    engineering = DepartmentFactory(name="Engineering")
    sales = DepartmentFactory(name="Sales")
    lisbon = LocationFactory(name="Lisbon")
    program = ProgramFactory()
    program.eligible_departments.set([engineering, sales])
    program.eligible_locations.set([lisbon])

    inside = PersonFactory(department=sales, location=lisbon)
    assert check_eligibility(program, inside, Role.MENTEE, today=TODAY) == []

    outside = PersonFactory(department=DepartmentFactory(name="Finance"), location=lisbon)
    assert check_eligibility(program, outside, Role.MENTEE, today=TODAY) == [
        "This program is open to people in Engineering or Sales only; the directory has you "
        "in Finance."
    ]
    elsewhere = PersonFactory(department=engineering, location=LocationFactory(name="Oslo"))
    assert check_eligibility(program, elsewhere, Role.MENTOR, today=TODAY) == [
        "This program is open to people in Lisbon only; the directory has you in Oslo."
    ]
    nowhere = PersonFactory(department=None, location=lisbon)
    [reason] = check_eligibility(program, nowhere, Role.MENTEE, today=TODAY)
    assert "has no department for you" in reason


def test_people_who_left_are_refused():
    program = ProgramFactory()
    [reason] = check_eligibility(program, PersonFactory(is_active=False), Role.MENTEE, today=TODAY)
    assert "no longer with the organisation" in reason


def test_several_reasons_are_all_given():
    program = ProgramFactory(mentor_min_level=6, mentor_min_tenure_months=36)
    program.eligible_departments.set([DepartmentFactory(name="Legal")])
    person = PersonFactory(level=2, hire_date=datetime.date(2026, 1, 1))
    assert len(check_eligibility(program, person, Role.MENTOR, today=TODAY)) == 3


def test_already_registered_in_the_role_is_refused_unless_withdrawn():
    program = ProgramFactory()
    registration = RegistrationFactory(program=program, status=ParticipantStatus.WAITLISTED)
    person = registration.person
    assert check_eligibility(program, person, Role.MENTEE, today=TODAY) == [
        "You are already registered as a mentee (waitlisted)."
    ]
    registration.status = ParticipantStatus.WITHDRAWN
    registration.save()
    assert check_eligibility(program, person, Role.MENTEE, today=TODAY) == []
    registration.status = ParticipantStatus.DECLINED
    registration.save()
    [reason] = check_eligibility(program, person, Role.MENTEE, today=TODAY)
    assert reason.startswith("A program manager declined your registration as a mentee.")


def test_both_roles_only_when_the_program_allows_it():
    program = ProgramFactory(allow_both_roles=False)
    registration = RegistrationFactory(program=program, role=Role.MENTEE)
    assert check_eligibility(program, registration.person, Role.MENTOR, today=TODAY) == [
        "You are already registered as a mentee, and in this program each person takes one role."
    ]
    program.allow_both_roles = True
    program.save()
    assert check_eligibility(program, registration.person, Role.MENTOR, today=TODAY) == []


def test_a_withdrawn_registration_does_not_block_the_other_role():
    program = ProgramFactory(allow_both_roles=False)
    registration = RegistrationFactory(
        program=program, role=Role.MENTEE, status=ParticipantStatus.WITHDRAWN
    )
    assert check_eligibility(program, registration.person, Role.MENTOR, today=TODAY) == []


def test_roles_follow_the_program_format():
    peer_program = ProgramFactory(format=Format.PEER)
    person = PersonFactory()
    assert check_eligibility(peer_program, person, Role.PEER, today=TODAY) == []
    assert check_eligibility(peer_program, person, Role.MENTOR, today=TODAY) == [
        "This program has no mentor role."
    ]
    assert check_eligibility(ProgramFactory(), person, Role.PEER, today=TODAY) == [
        "This program has no peer role."
    ]


def test_enrolment_service_refuses_ineligible_people_whatever_the_caller():
    program = ProgramFactory(mentor_min_level=5)
    person = PersonFactory(level=2)
    with pytest.raises(EnrolmentError) as caught:
        enrol_participant(program, person, Role.MENTOR, {}, consented=False)
    assert caught.value.reasons == [
        "Mentors need level 5 or above; the directory has you at level 2."
    ]
    assert not Participant.objects.exists()


def test_enrolment_service_refuses_a_second_registration_in_the_same_role():
    program = ProgramFactory()
    person = PersonFactory()
    enrol_participant(program, person, Role.MENTOR, {}, consented=False)
    with pytest.raises(EnrolmentError, match="already registered as a mentor"):
        enrol_participant(program, person, Role.MENTOR, {}, consented=False)
    assert Participant.objects.count() == 1
