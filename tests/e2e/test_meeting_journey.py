"""A pair's meeting in a real browser: the mentee schedules it (both are invited), rates it once
it has happened, and the program manager sees the pair's health."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    ParticipantFactory,
    PersonFactory,
    ProgramFactory,
    ProgramManagerFactory,
    RegistrationFactory,
)
from trellis.mentorships.models import Meeting, MeetingFeedback, Mentorship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_schedule_rate_and_see_the_pair_health(sign_in, live_server, browser_errors):
    manager = ProgramManagerFactory()
    program = ProgramFactory(name="Spring mentoring", status="active", managed_by=[manager])
    mentor = RegistrationFactory(
        program=program, role="mentor", person=PersonFactory(first_name="Priya")
    )
    mentee_person = PersonFactory(first_name="Tom", time_zone="Europe/London")
    mentee = RegistrationFactory(program=program, role="mentee", person=mentee_person)
    Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        started_on=timezone.localdate(),
        reasons="Priya offers negotiation, which you asked for.",
    )
    user = ParticipantFactory(person=mentee_person)

    page = sign_in(user.email)
    page.goto(f"{live_server.url}/programs/{program.slug}/")
    page.get_by_role("link", name="Meetings and notes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mentoring with Priya")
    day = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Date", exact=True).first.fill(day.isoformat())
    page.get_by_label("Time (Europe/London)").first.fill("15:00")
    page.get_by_label("Place or video link").fill("https://meet.example/tom-priya")
    page.get_by_label("Agenda").fill("Negotiation practice")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_text("Scheduled: you both have the invitation.")).to_be_visible()
    expect(page.get_by_role("heading", level=3).first).to_contain_text("15:00")

    # a week later: the meeting has happened
    Meeting.objects.update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    page.reload()
    page.get_by_label("3 good").check()
    page.get_by_label("Comment (optional, private)").fill("Useful role play")
    page.get_by_role("button", name="Rate the meeting").click()
    expect(page.get_by_text("Thank you")).to_be_visible()
    assert MeetingFeedback.objects.get().rating == 3
    assert browser_errors == []

    page.get_by_role("button", name="Sign out").click()
    page = sign_in(manager.email)
    page.goto(f"{live_server.url}/programs/{program.slug}/mentorships/")
    row = page.locator("table.pair-health tbody tr", has_text="Tom")
    expect(row).to_contain_text("3.0 (1)")
    expect(row).to_contain_text("On track")
    assert "Useful role play" not in page.content()
    assert browser_errors == []
