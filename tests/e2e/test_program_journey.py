"""A program from template to roster in a real browser: a manager creates it and opens
enrolment, a colleague registers, and the manager finds them in the participant list."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ParticipantFactory, ProgramManagerFactory, SkillFactory
from trellis.enrolment.models import Participant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def fill_registration(page):
    """Answer every question the way a person would: a choice for each group, some text."""
    form = page.locator("main form")
    for select in form.locator("select").all():
        select.select_option(index=0)
    names = set()
    for radio in form.locator("input[type=radio]").all():
        names.add(radio.get_attribute("name"))
    for name in names:
        form.locator(f"input[type=radio][name='{name}']").first.check()
    for text in form.locator("input[type=text], textarea").all():
        if not text.input_value():
            text.fill("Preparing my first conference talk")
    consent = form.get_by_label(re.compile("agree", re.IGNORECASE))
    if consent.count():
        consent.check()


def test_create_from_template_register_and_find_the_participant(
    sign_in, live_server, browser_errors
):
    SkillFactory(name="Public speaking")
    SkillFactory(name="Negotiation")
    manager = ProgramManagerFactory()
    colleague = ParticipantFactory(person__first_name="Noor", person__last_name="Haddad")

    page = sign_in(manager.email)
    page.goto(live_server.url + "/programs/templates/")
    page.get_by_role("link", name=re.compile(r"Use this template\W+Flash mentoring")).click()
    page.get_by_role("textbox", name="Name").fill("Ask an engineer")
    page.get_by_role("button", name="Create the program").click()
    expect(page.locator("main")).to_contain_text("Ask an engineer")

    page.goto(live_server.url + "/programs/ask-an-engineer/settings/")
    page.get_by_role("button", name=re.compile("Move to Enrolling")).click()
    expect(page.locator(".messages")).to_contain_text(re.compile("enrolling", re.IGNORECASE))
    assert browser_errors == []
    sign_out(page)

    sign_in(colleague.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Ask an engineer").first.click()
    page.get_by_role("link", name=re.compile("Join as (a )?mentee", re.IGNORECASE)).click()
    fill_registration(page)
    page.get_by_role("button", name=re.compile("Register as a mentee", re.IGNORECASE)).click()
    expect(page.locator(".messages")).to_be_visible()
    registration = Participant.objects.get(program__slug="ask-an-engineer", person=colleague.person)
    # No mentor has joined yet, so the first mentee waits for a place.
    assert registration.role == "mentee" and registration.status == "waitlisted"
    assert registration.answers  # the answers typed in the browser were stored
    assert browser_errors == []
    sign_out(page)

    sign_in(manager.email)
    page.goto(live_server.url + "/programs/ask-an-engineer/participants/")
    results = page.locator("main")
    expect(results).to_contain_text("Noor Haddad")
    expect(results).to_contain_text("Mentee")
    expect(results).to_contain_text("Waitlisted")
    assert browser_errors == []
