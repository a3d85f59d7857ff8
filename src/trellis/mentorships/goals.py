"""Goals of a mentorship: the mentee sets them (suggestions come from their registration answers
and the program's focus), adds milestones and progress updates; the mentor comments."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from trellis.programs.models import Criterion as AnswerCriterion

from .meetings import MeetingError, side_of
from .models import Goal, GoalStatus, GoalUpdate, Mentorship, Milestone

COMMON_GOALS = [
    "Visibility with leadership",
    "Communication",
    "Negotiation",
    "Conflict management",
    "Giving and receiving feedback",
    "Career planning",
]


def goal_suggestions(mentorship: Mentorship) -> list[str]:
    """The goals the mentee named when registering first, then common ones; none twice and
    none the pair already has."""
    questions = {
        str(q.pk): q
        for q in mentorship.program.questions.filter(
            criterion__in=[AnswerCriterion.GOALS, AnswerCriterion.SKILLS_SOUGHT]
        )
    }
    named: list[str] = []
    for key, value in (mentorship.mentee.answers or {}).items():
        question = questions.get(str(key))
        if question is None:
            continue
        if question.kind == "skills":
            from trellis.people.models import Skill

            named += list(Skill.objects.filter(pk__in=value or []).values_list("name", flat=True))
        elif isinstance(value, list):
            named += [str(v) for v in value]
        elif value:
            named.append(str(value))
    taken = {g.title.lower() for g in mentorship.goals.all()}
    out, seen = [], set()
    for title in [*named, *COMMON_GOALS]:
        if title.lower() not in taken and title.lower() not in seen:
            seen.add(title.lower())
            out.append(title)
    return out[:10]


def _mentee(mentorship: Mentorship, person):
    me = side_of(mentorship, person)
    if me != mentorship.mentee:
        raise MeetingError("The mentee sets and updates the goals; the mentor comments.")
    return me


def add_goal(
    mentorship: Mentorship,
    *,
    person,
    title: str,
    description: str = "",
    target_date: datetime.date | None = None,
    milestones: list[str] | None = None,
) -> Goal:
    _mentee(mentorship, person)
    title = title.strip()
    if not title:
        raise MeetingError("Name the goal.")
    with transaction.atomic():
        goal = Goal.objects.create(
            mentorship=mentorship,
            title=title[:200],
            description=description.strip()[:2000],
            target_date=target_date,
        )
        for step in milestones or []:
            if step.strip():
                Milestone.objects.create(goal=goal, title=step.strip()[:200])
    return goal


def update_goal(
    goal: Goal,
    *,
    person,
    text: str = "",
    progress: int | None = None,
    status: str | None = None,
) -> GoalUpdate | None:
    """The mentee records progress (0-100 %) with a note, or marks the goal achieved or
    dropped; the mentor's update is a comment (text only)."""
    mentorship = goal.mentorship
    me = side_of(mentorship, person)
    text = text.strip()[:2000]
    is_mentee = me == mentorship.mentee
    if not is_mentee and (progress is not None or status):
        raise MeetingError("The mentee sets and updates the goals; the mentor comments.")
    if progress is not None and not 0 <= progress <= 100:
        raise MeetingError("Progress is a percentage, 0 to 100.")
    if status and status not in GoalStatus.values:
        raise MeetingError("Unknown goal status.")
    if not text and progress is None and not status:
        raise MeetingError("Write an update or a comment.")
    with transaction.atomic():
        if progress is not None:
            goal.progress = progress
        if status:
            goal.status = status
            if status == GoalStatus.ACHIEVED:
                goal.progress = 100
        goal.save()
        if text or progress is not None:
            return GoalUpdate.objects.create(
                goal=goal, author=me, text=text or f"Progress {progress}%", progress=progress
            )
    return None


def toggle_milestone(milestone: Milestone, *, person) -> Milestone:
    _mentee(milestone.goal.mentorship, person)
    milestone.done_at = None if milestone.done_at else timezone.now()
    milestone.save(update_fields=["done_at"])
    return milestone
