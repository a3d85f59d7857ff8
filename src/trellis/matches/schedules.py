"""What runs on a schedule (`trellis run-schedules`, e.g. every 15 minutes from cron): expire
unanswered mentor requests, and match the newcomers of evergreen programs."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.mentorships.models import RUNNING
from trellis.programs.models import EvergreenMatching, MatchingMode, Program, ProgramModel, Role
from trellis.programs.models import Status as ProgramStatus

from .models import MatchRun, RunStatus
from .self_matching import expire_overdue
from .services import MatchError, execute_run, publish_run, start_run

log = logging.getLogger(__name__)
STALE_RUN = datetime.timedelta(hours=1)


@dataclass
class ScheduleReport:
    expired_requests: int = 0
    surveys_opened: int = 0
    digests_sent: int = 0
    summaries_sent: int = 0
    runs: list[MatchRun] = field(default_factory=list)
    published: int = 0
    skipped: list[str] = field(default_factory=list)


def waiting_mentees(program: Program) -> int:
    """Approved mentees without a running mentorship: the newcomers of an evergreen program."""
    return (
        Participant.objects.filter(
            program=program, role=Role.MENTEE, status=ParticipantStatus.APPROVED
        )
        .exclude(Q(mentorships_as_mentee__status__in=RUNNING))
        .count()
    )


def match_newcomers(program: Program, *, by=None) -> tuple[MatchRun | None, int]:
    """One run for the newcomers, around the running mentorships (which keep their mentors'
    places); published at once when the program says so. Returns (run, pairs published)."""
    if program.matching_mode != MatchingMode.ADMIN:
        raise MatchError("Only admin-matched programs match newcomers on schedule.")
    # a run whose worker died long ago no longer blocks the schedule
    stale = timezone.now() - STALE_RUN
    program.match_runs.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__lt=stale
    ).update(status=RunStatus.FAILED, error="No worker finished this run within an hour.")
    if program.match_runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise MatchError("A run is already under way.")
    # a run that matched nobody (mentors full) has nothing to review or publish
    for waiting in program.match_runs.filter(status=RunStatus.READY):
        if not waiting.summary.get("matched"):
            MatchRun.objects.filter(pk=waiting.pk).update(status=RunStatus.SUPERSEDED)
    if program.match_runs.filter(status=RunStatus.READY).exists():
        raise MatchError("A run is waiting for review; publish or re-run it first.")
    if not waiting_mentees(program):
        return None, 0
    run = start_run(program, by=by)
    run = MatchRun.objects.get(pk=run.pk)
    if run.status == RunStatus.QUEUED:  # the scheduler itself is a background process
        run = execute_run(run)
    published = 0
    if program.evergreen_matching == EvergreenMatching.AUTOMATIC and run.summary.get("matched"):
        published = len(publish_run(run, by=by))
    return run, published


def run_schedules() -> ScheduleReport:
    from trellis.mentorships.surveys import open_due_surveys, send_digests

    report = ScheduleReport(expired_requests=expire_overdue())
    report.surveys_opened = open_due_surveys()
    report.digests_sent = send_digests()
    from trellis.reports.monthly import send_monthly_summaries

    report.summaries_sent = send_monthly_summaries()
    programs = Program.objects.filter(
        model=ProgramModel.EVERGREEN,
        matching_mode=MatchingMode.ADMIN,
        status=ProgramStatus.ACTIVE,
    ).exclude(evergreen_matching=EvergreenMatching.MANUAL)
    for program in programs:
        try:
            run, published = match_newcomers(program)
        except MatchError as error:
            report.skipped.append(f"{program.name}: {error}")
            continue
        except Exception as error:  # one program's failure must not stop the others
            log.exception("scheduled matching of %s failed", program)
            report.skipped.append(f"{program.name}: failed ({type(error).__name__})")
            continue
        if run is not None:
            report.runs.append(run)
            report.published += published
            log.info("evergreen run %s of %s: %s published", run.number, program, published)
    return report
