"""Skills supply and demand: what active mentees seek against what active mentors offer."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.enrolment import roster_factories
from tests.enrolment.roster_factories import (
    ParticipantRowFactory,
    QuestionFactory,
    RosterProgramFactory,
)
from tests.factories import PersonFactory, SkillFactory
from trellis.enrolment.models import ParticipantStatus
from trellis.enrolment.roster import supply_and_demand
from trellis.programs.models import Criterion, Format, QuestionKind, Role

pytestmark = pytest.mark.django_db

manager = roster_factories.manager
manager_client = roster_factories.manager_client


def figures(balance) -> list[tuple[str, int, int]]:
    return [(skill.name, skill.seeking, skill.offering) for skill in balance.skills]


@pytest.fixture
def skills(db):
    return {name: SkillFactory(name=name) for name in ("Python", "SQL", "Leadership", "Go")}


@pytest.fixture
def market(manager, skills):
    """Three active mentees and two active mentors, plus a withdrawn mentee and a declined
    mentor whose answers must not count."""
    program = RosterProgramFactory(slug="market", managed_by=[manager])
    sought = QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.SKILLS,
        criterion=Criterion.SKILLS_SOUGHT,
        label="Skills you want",
    )
    also_sought = QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.SKILLS,
        criterion=Criterion.SKILLS_SOUGHT,
        label="Stretch skills",
    )
    offered = QuestionFactory(
        program=program,
        role=Role.MENTOR,
        kind=QuestionKind.SKILLS,
        criterion=Criterion.SKILLS_OFFERED,
        label="Skills you offer",
    )
    ids = {name: skill.pk for name, skill in skills.items()}

    def mentee(status, *wanted, stretch=()):
        return ParticipantRowFactory(
            program=program,
            role=Role.MENTEE,
            status=status,
            answers={
                str(sought.pk): [ids[n] for n in wanted],
                str(also_sought.pk): [ids[n] for n in stretch],
            },
        )

    def mentor(status, *offers):
        return ParticipantRowFactory(
            program=program,
            role=Role.MENTOR,
            status=status,
            answers={str(offered.pk): [ids[n] for n in offers]},
        )

    # Python twice from one mentee (two questions) counts once.
    mentee(ParticipantStatus.APPROVED, "Python", "SQL", stretch=["Python"])
    mentee(ParticipantStatus.APPLIED, "Python")
    mentee(ParticipantStatus.WAITLISTED, "Python", "Go")
    mentee(ParticipantStatus.WITHDRAWN, "SQL", "Leadership")
    mentor(ParticipantStatus.APPROVED, "Python", "SQL")
    mentor(ParticipantStatus.MATCHED, "SQL", "Leadership")
    mentor(ParticipantStatus.DECLINED, "Go")
    return program


def test_counts_active_people_once_per_skill_sorted_by_gap(market):
    balance = supply_and_demand(market)
    assert figures(balance) == [
        ("Python", 3, 1),
        ("Go", 1, 0),
        ("SQL", 1, 2),
        ("Leadership", 0, 1),
    ]
    assert [skill.name for skill in balance.unmet] == ["Python", "Go"]
    assert (balance.seekers, balance.offerers) == (3, 2)
    assert not balance.offered_from_directory
    assert balance.has_sought_question


def test_falls_back_to_mentors_directory_skills_without_an_offered_question(manager, skills):
    program = RosterProgramFactory(slug="fallback", managed_by=[manager])
    sought = QuestionFactory(
        program=program,
        kind=QuestionKind.SKILLS,
        role=Role.MENTEE,
        criterion=Criterion.SKILLS_SOUGHT,
    )
    ParticipantRowFactory(
        program=program,
        role=Role.MENTEE,
        answers={str(sought.pk): [skills["Go"].pk, skills["SQL"].pk]},
    )
    mentor_person = PersonFactory()
    mentor_person.skills.set([skills["Go"], skills["Leadership"]])
    ParticipantRowFactory(program=program, person=mentor_person, role=Role.MENTOR)
    gone = PersonFactory()
    gone.skills.set([skills["SQL"]])
    ParticipantRowFactory(
        program=program, person=gone, role=Role.MENTOR, status=ParticipantStatus.WITHDRAWN
    )
    # A mentee's directory skills are not an offer.
    mentee_person = PersonFactory()
    mentee_person.skills.set([skills["Python"]])
    ParticipantRowFactory(program=program, person=mentee_person, role=Role.MENTEE)

    balance = supply_and_demand(program)
    assert balance.offered_from_directory
    assert figures(balance) == [("SQL", 1, 0), ("Go", 1, 1), ("Leadership", 0, 1)]


def test_peers_both_seek_and_offer(manager, skills):
    program = RosterProgramFactory(slug="peers", format=Format.PEER, managed_by=[manager])
    sought = QuestionFactory(
        program=program, kind=QuestionKind.SKILLS, criterion=Criterion.SKILLS_SOUGHT
    )
    offered = QuestionFactory(
        program=program, kind=QuestionKind.SKILLS, criterion=Criterion.SKILLS_OFFERED
    )
    for wanted, offers in (("Go", "Python"), ("Python", "SQL")):
        ParticipantRowFactory(
            program=program,
            role=Role.PEER,
            answers={
                str(sought.pk): [skills[wanted].pk],
                str(offered.pk): [skills[offers].pk],
            },
        )
    assert figures(supply_and_demand(program)) == [("Go", 1, 0), ("Python", 1, 1), ("SQL", 0, 1)]


def test_page_highlights_unmet_demand(manager_client, market):
    response = manager_client.get(reverse("enrolment:supply_demand", args=[market.slug]))
    html = response.content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Python Unmet demand 3 1 2 short" in text
    assert "Go No one offers it 1 0 1 short" in text
    assert "SQL 1 2 1 spare" in text
    assert "2 skills with unmet demand" in text
    assert html.count('<tr class="unmet">') == 2
    assert text.index("Python") < text.index("Go No one") < text.index("SQL 1 2")
    assert "style=" not in html


def test_page_explains_the_directory_fallback_and_a_missing_sought_question(
    manager_client, manager
):
    program = RosterProgramFactory(slug="empty", managed_by=[manager])
    text = manager_client.get(reverse("enrolment:supply_demand", args=[program.slug])).content
    text = text.decode()
    assert "asks no skills question feeding “Skills sought”" in text
    assert "skills in each mentor's directory profile count as offered" in unescape(text)


def test_supply_demand_query_count_does_not_grow(
    manager_client, market, skills, django_assert_max_num_queries
):
    for _ in range(30):
        ParticipantRowFactory(program=market, role=Role.MENTEE)
    # Session, user, viewer's person, program, managers, questions, participants, skill names.
    with django_assert_max_num_queries(9):
        response = manager_client.get(reverse("enrolment:supply_demand", args=[market.slug]))
    assert response.context["balance"].seekers == 33
