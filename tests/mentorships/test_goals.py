"""Goals: the mentee sets them (with suggestions from their registration), milestones and
progress; the mentor comments but cannot change them."""

import pytest
from django.urls import reverse

from tests.factories import ParticipantFactory, QuestionFactory
from tests.helpers import page_text
from tests.mentorships.test_surveys import pair  # noqa: F401 (fixture)
from trellis.mentorships.goals import add_goal, goal_suggestions, toggle_milestone, update_goal
from trellis.mentorships.meetings import MeetingError
from trellis.mentorships.models import Goal
from trellis.programs.models import Criterion, QuestionKind, Role

pytestmark = pytest.mark.django_db


def test_suggestions_start_with_what_the_mentee_asked_for(pair):  # noqa: F811
    question = QuestionFactory(
        program=pair.program,
        role=Role.MENTEE,
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["Public speaking", "Negotiation"],
        criterion=Criterion.GOALS,
    )
    pair.mentee.answers = {str(question.pk): ["Public speaking"]}
    pair.mentee.save()
    suggestions = goal_suggestions(pair)
    assert suggestions[0] == "Public speaking" and "Negotiation" in suggestions
    add_goal(pair, person=pair.mentee.person, title="Negotiation")
    assert "Negotiation" not in goal_suggestions(pair)


def test_the_mentee_updates_and_the_mentor_comments(pair):  # noqa: F811
    goal = add_goal(
        pair,
        person=pair.mentee.person,
        title="Visibility with leadership",
        milestones=["Present at the all-hands", "", "Lunch with the VP"],
    )
    assert [m.title for m in goal.milestones.all()] == [
        "Present at the all-hands",
        "Lunch with the VP",
    ]
    with pytest.raises(MeetingError, match="mentor comments"):
        add_goal(pair, person=pair.mentor.person, title="Mine")
    update_goal(goal, person=pair.mentee.person, progress=40, text="Booked the all-hands slot")
    with pytest.raises(MeetingError, match="mentor comments"):
        update_goal(goal, person=pair.mentor.person, progress=90)
    update_goal(goal, person=pair.mentor.person, text="Rehearse with me on Friday")
    toggle_milestone(goal.milestones.first(), person=pair.mentee.person)
    goal.refresh_from_db()
    assert goal.progress == 40 and goal.updates.count() == 2
    assert goal.milestones.first().done_at is not None
    update_goal(goal, person=pair.mentee.person, status="achieved")
    goal.refresh_from_db()
    assert goal.status == "achieved" and goal.progress == 100
    with pytest.raises(MeetingError, match="0 to 100"):
        update_goal(goal, person=pair.mentee.person, progress=120)


def test_goals_through_the_pair_page(pair, client):  # noqa: F811
    client.force_login(ParticipantFactory(person=pair.mentee.person))
    url = reverse("mentorships:workspace", args=[pair.program.slug, pair.pk])
    client.post(url, {"action": "add_goal", "title": "Negotiation", "milestones": "Read a book"})
    goal = Goal.objects.get()
    client.post(
        url, {"action": "update_goal", "goal": goal.pk, "progress": "30", "text": "Read it"}
    )
    text = page_text(client.get(url))
    assert "Negotiation" in text and "30%" in text and "Read it" in text
    bad = client.post(url, {"action": "add_goal", "title": "X", "target_date": "soon"}, follow=True)
    assert "Give the target date as a date." in page_text(bad)
