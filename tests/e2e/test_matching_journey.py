"""Matching in a real browser: a manager tunes the weights and runs the engine, reviews the
proposals, locks a pair, re-runs, compares, publishes; the mentee sees their mentor and why."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ParticipantFactory, ProgramManagerFactory
from tests.matches.conftest import _people
from trellis.mentorships.models import Mentorship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_run_review_lock_rerun_and_publish(sign_in, live_server, browser_errors):
    from tests.factories import ProgramFactory

    manager = ProgramManagerFactory()
    program = ProgramFactory(
        name="Spring mentoring",
        status="matching",
        mentor_capacity=2,
        matching_weights={"skills": 3, "seniority": 1},
        managed_by=[manager],
    )
    mentees, _ = _people(program, mentees=6, mentors=3)

    page = sign_in(manager.email)
    page.goto(f"{live_server.url}/programs/{program.slug}/matching/")
    expect(page.get_by_label("Skills sought ↔ offered")).to_have_value("3")
    page.get_by_label("Department").fill("1")
    page.get_by_role("button", name="Run matching").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Run 1")
    expect(page.get_by_text("6 / 6")).to_be_visible()
    expect(page.get_by_text("Proven optimal for these weights")).to_be_visible()
    rows = page.locator("table.proposals tbody tr")
    expect(rows).to_have_count(6)
    first = rows.first
    locked_mentee = first.locator("th").inner_text().splitlines()[0]
    first.get_by_role("button", name="Lock").click()
    expect(page.get_by_text("The pair is locked")).to_be_visible()

    page.get_by_role("button", name=re.compile("Re-run")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run 2")
    locked_row = page.locator("table.proposals tbody tr", has_text=locked_mentee)
    expect(locked_row.get_by_text("Locked")).to_be_visible()

    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run 2 and run 1")
    page.go_back()

    page.get_by_role("button", name="Publish 6 pairs").click()
    expect(page.get_by_text("Published: 6 mentorships")).to_be_visible()
    assert Mentorship.objects.filter(program=program).count() == 6
    assert browser_errors == []

    # the mentee sees their mentor and the reasons on the program page
    page.get_by_role("button", name="Sign out").click()
    mentee = ParticipantFactory(person=mentees[0].person)
    pair = Mentorship.objects.get(mentee=mentees[0])
    page = sign_in(mentee.email)
    page.goto(f"{live_server.url}/programs/{program.slug}/")
    card = page.get_by_role("region", name="Your mentor")
    expect(card).to_contain_text(pair.mentor.person.full_name)
    expect(card).to_contain_text("Why you were matched")
    assert browser_errors == []
