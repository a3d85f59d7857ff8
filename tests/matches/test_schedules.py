"""Scheduled matching: evergreen newcomers matched around running mentorships (for review or
published at once), expired requests, and the command that runs it all from cron."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ProgramFactory, RegistrationFactory
from tests.matches.conftest import _people
from trellis.matches.models import MatchRun, MentorRequest, RequestStatus, RunStatus
from trellis.matches.schedules import match_newcomers, run_schedules
from trellis.matches.self_matching import request_mentor
from trellis.matches.services import MatchError, publish_run, start_run
from trellis.mentorships.models import Mentorship
from trellis.programs.models import EvergreenMatching, MatchingMode, ProgramModel, Role, Status

pytestmark = pytest.mark.django_db


def evergreen(manager, how=EvergreenMatching.REVIEW, **extra):
    return ProgramFactory(
        model=ProgramModel.EVERGREEN,
        status=Status.ACTIVE,
        mentor_capacity=2,
        evergreen_matching=how,
        matching_weights={"skills": 1},
        managed_by=[manager],
        **extra,
    )


def test_newcomers_are_matched_without_disturbing_running_mentorships(program_manager):
    program = evergreen(program_manager, EvergreenMatching.AUTOMATIC)
    _, mentors = _people(program, mentees=2, mentors=2, capacity=2)
    first = start_run(program, by=program_manager)
    publish_run(MatchRun.objects.get(pk=first.pk), by=program_manager)
    before = {(m.mentee_id, m.mentor_id) for m in Mentorship.objects.all()}
    newcomers = [RegistrationFactory(program=program, role=Role.MENTEE) for _ in range(2)]
    report = run_schedules()
    assert len(report.runs) == 1 and report.published == 2
    run = report.runs[0]
    assert sorted(run.proposals.values_list("mentee_id", flat=True)) == sorted(
        n.pk for n in newcomers
    )
    after = {(m.mentee_id, m.mentor_id) for m in Mentorship.objects.all()}
    assert before < after and len(after) == 4  # the first pairs are untouched
    # every mentor holds at most their two places
    for mentor in mentors:
        assert Mentorship.objects.filter(mentor=mentor, status="active").count() <= 2
    # nothing waiting: the next schedule does nothing
    assert run_schedules().runs == []


def test_review_mode_leaves_the_run_for_the_manager(program_manager):
    program = evergreen(program_manager, EvergreenMatching.REVIEW)
    _people(program, mentees=2, mentors=1)
    report = run_schedules()
    assert report.published == 0 and report.runs[0].status == RunStatus.READY
    assert not Mentorship.objects.exists()
    # a run waiting for review is not piled upon
    again = run_schedules()
    assert again.runs == [] and "waiting for review" in again.skipped[0]
    with pytest.raises(MatchError, match="waiting for review"):
        match_newcomers(program)


def test_manual_cohort_and_self_matched_programs_are_left_alone(program_manager):
    programs = [
        evergreen(program_manager, EvergreenMatching.MANUAL),
        ProgramFactory(status=Status.ACTIVE, managed_by=[program_manager]),  # a cohort
        evergreen(program_manager, matching_mode=MatchingMode.SELF),
    ]
    for program in programs:
        _people(program, mentees=1, mentors=1)
    assert run_schedules().runs == []
    assert not MatchRun.objects.exists()


def test_the_command_expires_requests_and_reports(program_manager, mailoutbox):
    program = evergreen(program_manager, matching_mode=MatchingMode.SELF)
    mentees, mentors = _people(program, mentees=1, mentors=1, capacity=1)
    request = request_mentor(mentees[0], mentors[0])
    MentorRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    out = StringIO()
    call_command("run_schedules", stdout=out)
    assert "1 request(s) expired" in out.getvalue()
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED


def test_a_run_that_matched_nobody_does_not_stall_the_schedule(program_manager):
    program = evergreen(program_manager, EvergreenMatching.AUTOMATIC)
    _people(program, mentees=1, mentors=1, capacity=1)
    run_schedules()  # the mentee gets the only place
    RegistrationFactory(program=program, role=Role.MENTEE)
    first = run_schedules()  # mentors full: a run with nobody matched
    assert first.runs[0].summary["matched"] == 0
    RegistrationFactory(program=program, role=Role.MENTOR, capacity=1)
    second = run_schedules()  # not blocked by the empty run: the newcomer is matched now
    assert second.skipped == [] and second.published == 1


def test_a_run_whose_worker_died_does_not_block_forever(program_manager):
    program = evergreen(program_manager, EvergreenMatching.REVIEW)
    _people(program, mentees=1, mentors=1)
    stuck = MatchRun.objects.create(program=program, number=1, status=RunStatus.RUNNING)
    MatchRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    report = run_schedules()
    assert len(report.runs) == 1
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
