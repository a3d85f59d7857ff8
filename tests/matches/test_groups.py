"""Group formats through the same run, review and publish flow: peer pairs and circles."""

import pytest

from tests.factories import PersonFactory, ProgramFactory, RegistrationFactory
from trellis.matches.models import MatchRun, PairRule, RuleKind, RunStatus
from trellis.matches.services import MatchError, assign_by_hand, publish_run, start_run
from trellis.mentorships.models import Mentorship
from trellis.mentorships.selectors import mentorships_of
from trellis.people.services import rebuild_reporting_paths
from trellis.programs.models import Format, Role, Status

pytestmark = pytest.mark.django_db


def test_peers_are_paired_both_ways_without_reporting_lines(program_manager):
    program = ProgramFactory(
        format=Format.PEER,
        status=Status.MATCHING,
        matching_weights={"skills": 1, "department": 1},
        managed_by=[program_manager],
    )
    peers = [RegistrationFactory(program=program, role=Role.PEER) for _ in range(7)]
    peers[1].person.manager = peers[0].person
    peers[1].person.save()
    rebuild_reporting_paths()
    PairRule.objects.create(program=program, mentee=peers[2], mentor=peers[3], kind=RuleKind.FORBID)
    run = start_run(program, by=program_manager)
    run = MatchRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.READY and run.summary["unit"] == "peers"
    assert run.summary["matched"] == 3 and run.summary["unmatched"] == 1
    partner = {}
    for p in run.proposals.all():
        if p.mentor_id:
            partner[p.mentee_id] = p.mentor_id
            partner[p.mentor_id] = p.mentee_id
    assert len(partner) == 6
    assert partner.get(peers[0].pk) != peers[1].pk
    assert partner.get(peers[2].pk) != peers[3].pk
    proposal = run.proposals.filter(mentor__isnull=False).first()
    with pytest.raises(MatchError, match="both ways"):
        assign_by_hand(run, proposal, peers[4], by=program_manager)
    publish_run(run, by=program_manager)
    assert Mentorship.objects.filter(program=program).count() == 3
    paired = next(p for p in peers if p.pk in partner)
    mine = mentorships_of(paired.person_id, program)
    assert len(mine) == 1 and mine[0].partner_role == "peer"


def test_circles_group_members_around_leaders(program_manager, mailoutbox):
    program = ProgramFactory(
        format=Format.CIRCLE,
        status=Status.MATCHING,
        mentor_capacity=5,
        circle_size=3,
        matching_weights={"seniority": 1},
        managed_by=[program_manager],
    )
    leaders = [
        RegistrationFactory(program=program, role=Role.MENTOR, person=PersonFactory(level=8))
        for _ in range(2)
    ]
    members = [
        RegistrationFactory(program=program, role=Role.MENTEE, person=PersonFactory(level=3))
        for _ in range(9)
    ]
    run = MatchRun.objects.get(pk=start_run(program, by=program_manager).pk)
    proposals = list(run.proposals.all())
    placed = [p for p in proposals if p.mentor_id]
    assert len(placed) == 9 and run.summary["circles"] >= 4
    for leader in leaders:
        mine = [p for p in placed if p.mentor_id == leader.pk]
        assert len(mine) <= 5
        sizes = {}
        for p in mine:
            sizes[p.circle] = sizes.get(p.circle, 0) + 1
        assert max(sizes.values()) <= 3 and max(sizes.values()) - min(sizes.values()) <= 1
    publish_run(run, by=program_manager)
    # one email per member, and one per circle to its leader (not one per member-leader pair)
    assert len(mailoutbox) == 9 + run.summary["circles"]
    to_member = next(m for m in mailoutbox if m.to == [members[0].person.email])
    assert "With you in the circle" in to_member.body
    member = members[0]
    mine = mentorships_of(member.person_id, program)
    assert mine[0].partner_role == "circle leader"
    pair = Mentorship.objects.get(mentee=member)
    mates = Mentorship.objects.filter(mentor=pair.mentor, circle=pair.circle).exclude(pk=pair.pk)
    assert {m.mentee.person for m in mates} == set(mine[0].circle_mates)


def test_newcomers_join_a_leaders_circles_without_overfilling_them(program_manager):
    program = ProgramFactory(
        format=Format.CIRCLE,
        status=Status.MATCHING,
        mentor_capacity=6,
        circle_size=3,
        matching_weights={"seniority": 1},
        managed_by=[program_manager],
    )
    leader = RegistrationFactory(program=program, role=Role.MENTOR, person=PersonFactory(level=8))
    for _ in range(2):
        RegistrationFactory(program=program, role=Role.MENTEE, person=PersonFactory(level=3))
    publish_run(
        MatchRun.objects.get(pk=start_run(program, by=program_manager).pk), by=program_manager
    )
    for _ in range(3):
        RegistrationFactory(program=program, role=Role.MENTEE, person=PersonFactory(level=3))
    second = MatchRun.objects.get(pk=start_run(program, by=program_manager).pk)
    publish_run(second, by=program_manager)
    sizes = {}
    for number in Mentorship.objects.filter(mentor=leader).values_list("circle", flat=True):
        sizes[number] = sizes.get(number, 0) + 1
    assert sum(sizes.values()) == 5 and max(sizes.values()) <= 3


def test_a_peer_summary_counts_two_people_per_pair_after_an_edit(program_manager):
    program = ProgramFactory(
        format=Format.PEER,
        status=Status.MATCHING,
        matching_weights={"department": 1},
        managed_by=[program_manager],
    )
    for _ in range(6):
        RegistrationFactory(program=program, role=Role.PEER)
    run = MatchRun.objects.get(pk=start_run(program, by=program_manager).pk)
    proposal = run.proposals.filter(mentor__isnull=False).first()
    assign_by_hand(run, proposal, None, by=program_manager)
    run.refresh_from_db()
    assert run.summary["matched"] == 2 and run.summary["unmatched"] == 2
