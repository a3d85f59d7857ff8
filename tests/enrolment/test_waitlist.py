"""The waitlist: mentees beyond the approved mentors' places wait, first come first served,
and move up (or back) as mentors join, leave, or are decided on."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from tests.enrolment.conftest import ProgramFactory, RegistrationFactory
from tests.factories import PersonFactory, ProgramManagerFactory
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.enrolment.services import (
    EnrolmentError,
    approve_participants,
    decline_participants,
    enrol_participant,
    promote_waitlisted,
    supply_and_demand_ratio,
    withdraw_participant,
)
from trellis.programs.models import Format, Role

pytestmark = pytest.mark.django_db

APPROVED = ParticipantStatus.APPROVED
WAITLISTED = ParticipantStatus.WAITLISTED


def enrol(program, role, **kwargs):
    return enrol_participant(program, PersonFactory(), role, {}, consented=False, **kwargs)


def statuses(*participants):
    return [Participant.objects.get(pk=p.pk).status for p in participants]


def test_mentees_beyond_the_mentor_places_wait():
    program = ProgramFactory(mentor_capacity=2)
    mentor = enrol(program, Role.MENTOR)
    assert mentor.status == APPROVED and mentor.capacity == 2
    first, second, third = (enrol(program, Role.MENTEE) for _ in range(3))
    assert statuses(first, second, third) == [APPROVED, APPROVED, WAITLISTED]
    assert supply_and_demand_ratio(program) == (2, 3)
    assert supply_and_demand_ratio(program).shortfall == 1


def test_a_mentor_who_chose_fewer_places_offers_fewer():
    program = ProgramFactory(mentor_capacity=3)
    enrol(program, Role.MENTOR, capacity=1)
    first, second = enrol(program, Role.MENTEE), enrol(program, Role.MENTEE)
    assert statuses(first, second) == [APPROVED, WAITLISTED]


def test_mentor_capacity_outside_the_program_bounds_is_refused():
    program = ProgramFactory(mentor_capacity=2)
    for capacity in (0, 3):
        with pytest.raises(EnrolmentError, match="from 1 to 2"):
            enrol(program, Role.MENTOR, capacity=capacity)
    assert not Participant.objects.exists()


def test_a_joining_mentor_promotes_the_earliest_waiting_mentees_and_tells_them():
    program = ProgramFactory(mentor_capacity=2)
    early, middle, late = (enrol(program, Role.MENTEE) for _ in range(3))
    assert statuses(early, middle, late) == [WAITLISTED] * 3
    mail.outbox.clear()

    enrol(program, Role.MENTOR)

    assert statuses(early, middle, late) == [APPROVED, APPROVED, WAITLISTED]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[early.person.email] == f"A place has opened for you in {program.name}"
    assert subjects[middle.person.email] == f"A place has opened for you in {program.name}"
    assert late.person.email not in subjects


def test_a_withdrawing_mentee_gives_the_place_to_the_first_one_waiting():
    program = ProgramFactory()
    enrol(program, Role.MENTOR)
    holder, first_waiting, second_waiting = (enrol(program, Role.MENTEE) for _ in range(3))

    withdraw_participant(holder, reason="Changed teams")

    assert statuses(holder, first_waiting, second_waiting) == [
        ParticipantStatus.WITHDRAWN,
        APPROVED,
        WAITLISTED,
    ]


def test_a_withdrawing_mentor_sends_the_latest_unmatched_mentees_back_to_the_waitlist():
    program = ProgramFactory(mentor_capacity=2)
    staying, leaving = enrol(program, Role.MENTOR), enrol(program, Role.MENTOR)
    first, second, third, fourth = (enrol(program, Role.MENTEE) for _ in range(4))
    # The earliest mentee is already matched: matching keeps them whatever happens here.
    Participant.objects.filter(pk=first.pk).update(status=ParticipantStatus.MATCHED)
    mail.outbox.clear()

    withdraw_participant(leaving)

    assert statuses(staying) == [APPROVED]
    assert statuses(first, second, third, fourth) == [
        ParticipantStatus.MATCHED,
        APPROVED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([third.person.email, fourth.person.email])
    assert all(m.subject == f"You are back on the waitlist for {program.name}" for m in mail.outbox)
    assert "A mentor has left" in mail.outbox[0].body


def test_withdrawing_twice_is_refused():
    program = ProgramFactory()
    mentee = enrol(program, Role.MENTEE)
    withdraw_participant(mentee)
    with pytest.raises(EnrolmentError, match="already withdrawn"):
        withdraw_participant(mentee)


def test_applications_wait_for_approval_and_hold_no_place():
    program = ProgramFactory(requires_approval=True)
    mentor, mentee = enrol(program, Role.MENTOR), enrol(program, Role.MENTEE)
    assert statuses(mentor, mentee) == [ParticipantStatus.APPLIED] * 2
    assert supply_and_demand_ratio(program) == (0, 1)


def test_approving_mentees_without_places_puts_them_on_the_waitlist_in_registration_order():
    manager = ProgramManagerFactory()
    program = ProgramFactory(requires_approval=True)
    early, late = enrol(program, Role.MENTEE), enrol(program, Role.MENTEE)
    mail.outbox.clear()

    decision = approve_participants(program, [late, early], by=manager)

    assert decision.approved == [] and {p.pk for p in decision.waitlisted} == {early.pk, late.pk}
    assert statuses(early, late) == [WAITLISTED, WAITLISTED]
    approved_early = Participant.objects.get(pk=early.pk)
    assert approved_early.decided_by == manager and approved_early.decided_at is not None
    assert mail.outbox[0].subject == f"You are on the waitlist for {program.name}"
    assert "A program manager has approved your registration" in mail.outbox[0].body

    # Approving a mentor with one place promotes the earlier registration.
    mentor = enrol(program, Role.MENTOR)
    decision = approve_participants(program, [mentor], by=manager)
    assert [p.pk for p in decision.approved] == [mentor.pk]
    assert statuses(mentor, early, late) == [APPROVED, APPROVED, WAITLISTED]


def test_approving_mentors_and_mentees_together_fills_the_new_places():
    manager = ProgramManagerFactory()
    program = ProgramFactory(requires_approval=True, mentor_capacity=2)
    mentees = [enrol(program, Role.MENTEE) for _ in range(3)]
    mentor = enrol(program, Role.MENTOR)

    decision = approve_participants(program, [*mentees, mentor], by=manager)

    assert {p.pk for p in decision.approved} == {mentor.pk, mentees[0].pk, mentees[1].pk}
    assert [p.pk for p in decision.waitlisted] == [mentees[2].pk]
    assert statuses(*mentees) == [APPROVED, APPROVED, WAITLISTED]


def test_approval_skips_registrations_that_are_not_awaiting_a_decision():
    manager = ProgramManagerFactory()
    program = ProgramFactory()
    withdrawn = RegistrationFactory(program=program, status=ParticipantStatus.WITHDRAWN)
    decision = approve_participants(program, [withdrawn], by=manager)
    assert [p.pk for p in decision.skipped] == [withdrawn.pk]
    assert statuses(withdrawn) == [ParticipantStatus.WITHDRAWN]


def test_approval_ignores_participants_of_another_program():
    manager = ProgramManagerFactory()
    program, other = ProgramFactory(), ProgramFactory(requires_approval=True)
    foreign = enrol(other, Role.MENTOR)
    decision = approve_participants(program, [foreign], by=manager)
    assert decision.approved == [] and statuses(foreign) == [ParticipantStatus.APPLIED]


def test_declining_an_approved_mentee_frees_the_place():
    manager = ProgramManagerFactory()
    program = ProgramFactory()
    enrol(program, Role.MENTOR)
    holder, waiting = enrol(program, Role.MENTEE), enrol(program, Role.MENTEE)

    decision = decline_participants(program, [holder], by=manager)

    assert [p.pk for p in decision.declined] == [holder.pk]
    assert statuses(holder, waiting) == [ParticipantStatus.DECLINED, APPROVED]


def test_declining_a_mentor_sends_mentees_back_to_the_waitlist():
    manager = ProgramManagerFactory()
    program = ProgramFactory()
    mentor = enrol(program, Role.MENTOR)
    mentee = enrol(program, Role.MENTEE)
    decline_participants(program, [mentor], by=manager)
    assert statuses(mentor, mentee) == [ParticipantStatus.DECLINED, WAITLISTED]


def test_promote_waitlisted_fills_places_added_outside_the_services():
    program = ProgramFactory()
    waiting = enrol(program, Role.MENTEE)
    RegistrationFactory(program=program, role=Role.MENTOR, capacity=1, status=APPROVED)

    promoted = promote_waitlisted(program)

    assert [p.pk for p in promoted] == [waiting.pk]
    assert statuses(waiting) == [APPROVED]


def test_supply_counts_only_approved_and_matched_mentors_and_every_active_mentee():
    program = ProgramFactory(mentor_capacity=3)
    RegistrationFactory(program=program, role=Role.MENTOR, capacity=2, status=APPROVED)
    RegistrationFactory(
        program=program, role=Role.MENTOR, capacity=None, status=ParticipantStatus.MATCHED
    )
    RegistrationFactory(
        program=program, role=Role.MENTOR, capacity=3, status=ParticipantStatus.APPLIED
    )
    RegistrationFactory(
        program=program, role=Role.MENTOR, capacity=3, status=ParticipantStatus.WITHDRAWN
    )
    for status in (APPROVED, WAITLISTED, ParticipantStatus.APPLIED, ParticipantStatus.MATCHED):
        RegistrationFactory(program=program, role=Role.MENTEE, status=status)
    RegistrationFactory(program=program, role=Role.MENTEE, status=ParticipantStatus.DECLINED)
    RegistrationFactory(program=ProgramFactory(), role=Role.MENTEE, status=APPROVED)

    # 2 places + the program's default 3 for the mentor who did not choose.
    assert supply_and_demand_ratio(program) == (5, 4)


def test_peer_programs_have_no_waitlist():
    program = ProgramFactory(format=Format.PEER)
    peers = [enrol(program, Role.PEER) for _ in range(3)]
    assert statuses(*peers) == [APPROVED] * 3


@pytest.mark.django_db(transaction=True)
def test_a_registration_waits_for_another_in_flight_for_the_last_place():
    """Two mentees register at once for the last place: the program row lock makes the second
    wait until the first commits, so it sees the place taken and joins the waitlist."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite's IMMEDIATE transactions serialise")
    program = ProgramFactory()
    enrol(program, Role.MENTOR)
    first_person, second_person = PersonFactory(), PersonFactory()
    first_in, second_done, release = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():  # held open until the main thread releases it
                enrol_participant(program, first_person, Role.MENTEE, {}, consented=False)
                first_in.set()
                release.wait(timeout=10)
        except Exception as error:
            errors.append(error)
            first_in.set()
        finally:
            connections.close_all()

    def second():
        try:
            first_in.wait(timeout=10)
            enrol_participant(program, second_person, Role.MENTEE, {}, consented=False)
        except Exception as error:
            errors.append(error)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(timeout=10)
    # Without the lock the second registration would finish now and take the place too.
    assert not second_done.wait(timeout=1.0)
    release.set()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert Participant.objects.get(person=first_person).status == APPROVED
    assert Participant.objects.get(person=second_person).status == WAITLISTED


def test_reversing_a_decline_never_gives_a_second_role_where_one_is_the_rule():
    manager = ProgramManagerFactory()
    program = ProgramFactory(requires_approval=True, allow_both_roles=False, managed_by=[manager])
    person = PersonFactory()
    declined = RegistrationFactory(
        program=program, person=person, role=Role.MENTOR, status=ParticipantStatus.DECLINED
    )
    RegistrationFactory(program=program, person=person, role=Role.MENTEE, status="applied")
    decision = approve_participants(program, [declined], by=manager)
    assert decision.skipped == [declined]
    assert Participant.objects.get(pk=declined.pk).status == ParticipantStatus.DECLINED
