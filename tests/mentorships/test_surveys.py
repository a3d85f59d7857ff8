"""Surveys from the program's definitions, answered once; the bad-fit rule; the weekly digest
that sends each reminder once; ending a mentorship; the participant's home."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import ParticipantFactory, PersonFactory, ProgramFactory, RegistrationFactory
from tests.helpers import page_text
from trellis.mentorships.meetings import log_meeting, pair_health, rate_meeting
from trellis.mentorships.models import Mentorship, Reminder, SurveyResponse
from trellis.mentorships.surveys import (
    SurveyError,
    answer_survey,
    open_due_surveys,
    send_digests,
)
from trellis.programs.models import Role, Status

pytestmark = pytest.mark.django_db

FIT = {
    "kind": "first_meeting_fit",
    "title": "After your first meeting",
    "every_weeks": None,
    "questions": [
        {
            "key": "fit",
            "kind": "scale",
            "label": "How good a fit?",
            "required": True,
            "choices": [],
            "scale": {"min": 1, "max": 4, "min_label": "Poor", "max_label": "Great"},
        },
        {
            "key": "continue",
            "kind": "yes_no",
            "label": "Continue?",
            "required": True,
            "choices": [],
            "scale": None,
        },
    ],
}
MIDPOINT = {
    "kind": "midpoint",
    "title": "Halfway check-in",
    "every_weeks": None,
    "questions": [
        {
            "key": "satisfaction",
            "kind": "scale",
            "label": "How satisfied?",
            "required": True,
            "choices": [],
            "scale": {"min": 1, "max": 5, "min_label": "", "max_label": ""},
        },
        {
            "key": "often",
            "kind": "single_choice",
            "label": "How often?",
            "required": True,
            "choices": ["Weekly", "Monthly"],
            "scale": None,
        },
        {
            "key": "more",
            "kind": "long_text",
            "label": "Anything else?",
            "required": False,
            "choices": [],
            "scale": None,
        },
    ],
}
END = {**MIDPOINT, "kind": "end_of_program", "title": "End of program"}


@pytest.fixture
def pair(program_manager):
    today = timezone.localdate()
    program = ProgramFactory(
        status=Status.ACTIVE,
        model="cohort",
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=40),
        meeting_cadence="every_two_weeks",
        surveys=[FIT, MIDPOINT, END],
        managed_by=[program_manager],
    )
    mentor = RegistrationFactory(program=program, role=Role.MENTOR, person=PersonFactory())
    mentee = RegistrationFactory(program=program, role=Role.MENTEE, person=PersonFactory())
    return Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        started_on=today - datetime.timedelta(days=30),
    )


def test_due_surveys_open_once_for_both_and_the_midpoint_is_answered(pair, mailoutbox, client):
    assert open_due_surveys() == 2  # the cohort's midpoint has passed; no meeting yet
    assert open_due_surveys() == 0  # once
    assert {r.kind for r in SurveyResponse.objects.all()} == {"midpoint"}
    assert len(mailoutbox) == 2 and "Halfway check-in" in mailoutbox[0].subject
    log_meeting(
        pair, person=pair.mentee.person, starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert open_due_surveys() == 2  # the first-meeting fit survey, for both
    response = SurveyResponse.objects.get(participant=pair.mentee, kind="midpoint")
    user = ParticipantFactory(person=pair.mentee.person)
    client.force_login(user)
    url = reverse("mentorships:survey", args=[pair.program.slug, response.pk])
    page = client.post(url, {"satisfaction": "9", "often": "Weekly"})
    assert "Choose 1 to 5." in page_text(page)
    client.post(url, {"satisfaction": "4", "often": "Weekly", "more": "Going well"})
    response.refresh_from_db()
    assert response.status == "answered"
    assert response.answers == {"satisfaction": 4, "often": "Weekly", "more": "Going well"}
    with pytest.raises(SurveyError, match="answered"):
        answer_survey(response, person=pair.mentee.person, answers={})
    # the partner cannot open it
    client.force_login(ParticipantFactory(person=pair.mentor.person))
    assert client.get(url).status_code == 404


def test_a_bad_fit_answer_puts_the_pair_at_risk(pair):
    log_meeting(
        pair, person=pair.mentee.person, starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    open_due_surveys()
    fit = SurveyResponse.objects.get(participant=pair.mentee, kind="first_meeting_fit")
    answer_survey(fit, person=pair.mentee.person, answers={"fit": "1", "continue": "no"})
    flags = pair_health(pair.program)[0].flags
    assert "said after the first meeting that it is not a good fit" in flags


def test_the_weekly_digest_sends_each_reminder_once(pair, mailoutbox):
    now = timezone.now()
    meeting = log_meeting(
        pair, person=pair.mentee.person, starts_at=now - datetime.timedelta(days=2)
    )
    rate_meeting(meeting, person=pair.mentor.person, rating=4)
    open_due_surveys(now=now)
    SurveyResponse.objects.update(sent_at=now - datetime.timedelta(days=4))  # sent days ago
    mailoutbox.clear()
    assert send_digests(now) == 2  # one email each, however many items
    to_mentee = next(m for m in mailoutbox if m.to == [pair.mentee.person.email])
    assert "Rate your meeting" in to_mentee.body and "Answer “Halfway check-in”" in to_mentee.body
    to_mentor = next(m for m in mailoutbox if m.to == [pair.mentor.person.email])
    assert "Rate your meeting" not in to_mentor.body  # the mentor rated already
    # the same week, or the next run of the schedule: nothing again
    assert send_digests(now) == 0
    assert send_digests(now + datetime.timedelta(hours=3)) == 0
    # the next week: only what is still waiting and due again (the open survey), not the rating
    rate_meeting(meeting, person=pair.mentee.person, rating=3)
    mailoutbox.clear()
    assert send_digests(now + datetime.timedelta(days=7)) == 2
    assert all("Rate your meeting" not in m.body for m in mailoutbox)
    assert Reminder.objects.filter(key__startswith="rate:").count() == 1


def test_ending_opens_the_end_survey_and_frees_the_place(pair, client):
    user = ParticipantFactory(person=pair.mentee.person)
    client.force_login(user)
    url = reverse("mentorships:end", args=[pair.program.slug, pair.pk])
    page = client.post(url, {"how": "end", "reason": ""}, follow=True)
    assert "Say why the mentorship ends." in page_text(page)
    client.post(url, {"how": "complete"})
    pair.refresh_from_db()
    assert pair.status == "completed"
    assert SurveyResponse.objects.filter(kind="end_of_program").count() == 2


def test_the_home_page_shows_the_pair_and_what_is_waiting(pair, client):
    log_meeting(
        pair, person=pair.mentee.person, starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    open_due_surveys()
    user = ParticipantFactory(person=pair.mentee.person)
    client.force_login(user)
    text = page_text(client.get(reverse("core:home")))
    assert "Waiting for you" in text and "Rate your meeting" in text
    assert "Halfway check-in" in text and f"{pair.mentor.person} , your mentor" in text
    from trellis.mentorships.goals import add_goal, update_goal

    goal = add_goal(pair, person=pair.mentee.person, title="Negotiation")
    update_goal(goal, person=pair.mentee.person, progress=35)
    assert "Negotiation 35%" in page_text(client.get(reverse("core:home")))


def test_managers_nudge_check_in_and_end_from_the_pairs_page(
    pair, client, program_manager, mailoutbox
):
    client.force_login(program_manager)
    url = reverse("mentorships:manage", args=[pair.program.slug, pair.pk])
    client.post(url, {"action": "nudge"})
    assert len(mailoutbox) == 2 and "book your next" in mailoutbox[0].subject
    client.post(url, {"action": "check_in"})
    assert SurveyResponse.objects.filter(kind="midpoint").count() == 2
    client.post(url, {"action": "end", "reason": "Mentor left the company"})
    pair.refresh_from_db()
    assert pair.status == "ended"


def test_the_schedule_command_reports_surveys_and_digests(pair):
    from io import StringIO

    out = StringIO()
    call_command("run_schedules", stdout=out)
    assert "2 survey(s) opened" in out.getvalue()
