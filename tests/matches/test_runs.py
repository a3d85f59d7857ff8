"""Match runs through the services: run, review (locks, forbidden pairs, by hand), re-run,
compare, publish, and evergreen matching of newcomers."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory
from tests.matches.conftest import _people
from trellis.enrolment.models import ParticipantStatus
from trellis.matches.models import MatchRun, PairRule, ProposalSource, RuleKind, RunStatus
from trellis.matches.services import (
    MatchError,
    assign_by_hand,
    compare_runs,
    publish_run,
    rerun,
    set_rule,
    start_run,
)
from trellis.mentorships.models import Mentorship, MentorshipStatus
from trellis.people.services import rebuild_reporting_paths
from trellis.programs.models import Role

pytestmark = pytest.mark.django_db


def _pairs(run):
    return {p.mentee_id: p.mentor_id for p in run.proposals.all()}


def test_a_run_proposes_an_optimal_feasible_match_with_reasons(program, program_manager):
    _people(program, mentees=8, mentors=4)
    run = start_run(program, by=program_manager)
    run.refresh_from_db()
    assert run.status == RunStatus.READY and run.progress == 100
    assert run.summary["matched"] == 8 and run.summary["certified"] is True
    assert run.proposals.count() == 8
    load = {}
    for p in run.proposals.all():
        assert p.mentor_id is not None and p.reasons.endswith(".")
        assert 0 <= p.score <= 1 and p.contributions
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
    assert max(load.values()) <= 2
    assert sum(run.summary["histogram"]) == 8


def test_reporting_line_same_person_and_previous_partners_are_never_proposed(
    program, program_manager
):
    mentees, mentors = _people(program, mentees=3, mentors=3, capacity=3)
    # mentee 0 reports to mentor 0; mentor 1 reports to mentee 1 (the other direction)
    mentees[0].person.manager = mentors[0].person
    mentees[0].person.save()
    mentors[1].person.manager = mentees[1].person
    mentors[1].person.save()
    rebuild_reporting_paths()
    # mentee 2 had mentor 2 before, ended: a rematch never proposes the previous partner
    Mentorship.objects.create(
        program=program,
        mentor=mentors[2],
        mentee=mentees[2],
        status=MentorshipStatus.ENDED,
        started_on=datetime.date(2026, 1, 5),
        ended_on=datetime.date(2026, 3, 1),
    )
    run = start_run(program, by=program_manager)
    pairs = _pairs(run)
    assert pairs[mentees[0].pk] != mentors[0].pk
    assert pairs[mentees[1].pk] != mentors[1].pk
    assert pairs[mentees[2].pk] != mentors[2].pk
    assert None not in pairs.values()


def test_locked_pairs_are_kept_and_ruled_out_pairs_never_return(program, program_manager):
    _people(program, mentees=6, mentors=3)
    first = start_run(program, by=program_manager)
    first.refresh_from_db()
    proposals = list(first.proposals.select_related("mentee", "mentor"))
    keep, drop = proposals[0], proposals[1]
    dropped_mentor = drop.mentor_id
    set_rule(first, keep, RuleKind.LOCK, by=program_manager)
    set_rule(first, drop, RuleKind.FORBID, by=program_manager)
    drop.refresh_from_db()
    assert drop.mentor_id is None and "ruled out" in drop.unmatched_reason
    first.refresh_from_db()
    assert first.summary["edited"] is True
    second = rerun(first, by=program_manager)
    pairs = _pairs(second)
    assert pairs[keep.mentee_id] == keep.mentor_id
    assert pairs[drop.mentee_id] != dropped_mentor
    assert second.proposals.get(mentee=keep.mentee).source == ProposalSource.LOCKED
    assert PairRule.objects.filter(program=program).count() == 2


def test_assign_by_hand_checks_capacity_and_hard_rules(program, program_manager):
    mentees, mentors = _people(program, mentees=4, mentors=2, capacity=2)
    run = start_run(program, by=program_manager)
    run.refresh_from_db()
    proposal = run.proposals.get(mentee=mentees[0])
    other = next(m for m in mentors if m.pk != proposal.mentor_id)
    # the other mentor's two places are taken in this run
    with pytest.raises(MatchError, match="all their places"):
        assign_by_hand(run, proposal, other, by=program_manager)
    # free one place, then the swap works and is explained
    moved = run.proposals.filter(mentor=other).first()
    assign_by_hand(run, moved, None, by=program_manager)
    changed = assign_by_hand(run, proposal, other, by=program_manager)
    assert changed.mentor_id == other.pk and changed.source == ProposalSource.MANUAL
    assert changed.reasons and changed.score is not None
    # a mentor in the mentee's reporting line is refused with the reason
    mentees[1].person.manager = other.person
    mentees[1].person.save()
    rebuild_reporting_paths()
    with pytest.raises(MatchError, match="reporting line"):
        assign_by_hand(run, run.proposals.get(mentee=mentees[1]), other, by=program_manager)


def test_publish_creates_mentorships_and_introduces_each_pair(
    program, program_manager, mailoutbox, client
):
    mentees, mentors = _people(program, mentees=4, mentors=2)
    first = start_run(program, by=program_manager)
    second = rerun(first, by=program_manager)
    second.refresh_from_db()
    created = publish_run(second, by=program_manager, today=datetime.date(2026, 11, 25))
    assert len(created) == 4
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == RunStatus.PUBLISHED and first.status == RunStatus.SUPERSEDED
    for registration in [*mentees, *mentors]:
        registration.refresh_from_db()
        assert registration.status == ParticipantStatus.MATCHED
    # one introduction to each person of each pair, with the reasons and a first meeting
    assert len(mailoutbox) == 8
    message = next(m for m in mailoutbox if m.to == [mentees[0].person.email])
    pair = Mentorship.objects.get(mentee=mentees[0])
    assert pair.mentor.person.full_name in message.subject
    assert pair.reasons in message.body
    assert "Tuesday 1 December" in message.body
    with pytest.raises(MatchError, match="published"):
        publish_run(second, by=program_manager)
    # the mentee sees their mentor and why on the program page
    from tests.factories import ParticipantFactory

    user = ParticipantFactory(person=mentees[0].person)
    client.force_login(user)
    page = client.get(reverse("programs:landing", args=[program.slug])).content.decode()
    assert f"Your mentor: {pair.mentor.person.full_name}" in page
    assert "Why you were matched" in page


def test_publish_refuses_a_run_that_no_longer_fits(program, program_manager):
    mentees, _ = _people(program, mentees=2, mentors=1)
    run = start_run(program, by=program_manager)
    run.refresh_from_db()
    mentees[0].status = ParticipantStatus.WITHDRAWN
    mentees[0].save()
    with pytest.raises(MatchError, match="withdrawn"):
        publish_run(run, by=program_manager)
    assert not Mentorship.objects.exists()


def test_evergreen_matches_newcomers_around_running_mentorships(program, program_manager):
    _people(program, mentees=2, mentors=1, capacity=2)
    run = start_run(program, by=program_manager)
    publish_run(MatchRun.objects.get(pk=run.pk), by=program_manager)
    newcomer = RegistrationFactory(program=program, role=Role.MENTEE)
    again = start_run(program, by=program_manager)
    again.refresh_from_db()
    # only the newcomer is in the run, and the only mentor is full
    assert list(again.proposals.values_list("mentee_id", flat=True)) == [newcomer.pk]
    proposal = again.proposals.get()
    assert proposal.mentor_id is None and proposal.unmatched_reason
    assert again.summary["places"] == 0


def test_compare_lists_the_pairs_that_differ(program, program_manager):
    _people(program, mentees=6, mentors=3)
    first = start_run(program, by=program_manager)
    first.refresh_from_db()
    proposal = first.proposals.first()
    set_rule(first, proposal, RuleKind.FORBID, by=program_manager)
    second = rerun(first, by=program_manager)
    comparison = compare_runs(MatchRun.objects.get(pk=first.pk), second)
    assert comparison.same + len(comparison.rows) == 6
    assert any(row["mentee"].pk == proposal.mentee_id for row in comparison.rows)


def test_bad_settings_are_refused(program, program_manager):
    with pytest.raises(MatchError, match="weight above 0"):
        start_run(program, by=program_manager, weights={"skills": 0})
    with pytest.raises(MatchError):
        start_run(program, by=program_manager, weights={"astrology": 1})
    with pytest.raises(MatchError, match="between 0 and 1"):
        start_run(program, by=program_manager, min_score=2)
    program.status = "draft"
    with pytest.raises(MatchError, match="draft"):
        start_run(program, by=program_manager)
    assert not MatchRun.objects.exists()


def test_a_failing_run_says_why(program, program_manager, monkeypatch):
    from trellis.matches import services

    _people(program, mentees=2, mentors=1)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_solve", broken)
    start_run(program, by=program_manager)  # the task fails; the worker logs the traceback
    run = MatchRun.objects.get()
    assert run.status == RunStatus.FAILED and "disk full" in run.error


def test_no_match_run_in_a_self_matched_program(program, program_manager):
    program.matching_mode = "self"
    program.save()
    with pytest.raises(MatchError, match="choose their mentors"):
        start_run(program, by=program_manager)


def test_publishing_supersedes_runs_still_in_flight(program, program_manager):
    _people(program, mentees=2, mentors=1)
    done = MatchRun.objects.get(pk=start_run(program, by=program_manager).pk)
    queued = MatchRun.objects.create(program=program, number=99, settings=done.settings)
    publish_run(done, by=program_manager)
    queued.refresh_from_db()
    assert queued.status == RunStatus.SUPERSEDED
    # a superseded run that the worker picks up later never becomes ready
    from trellis.matches.services import execute_run

    assert execute_run(queued).status == RunStatus.SUPERSEDED
