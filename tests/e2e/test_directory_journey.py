"""Journeys through the directory in a real browser: search, filter, open and edit profiles."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DepartmentFactory, ParticipantFactory, PersonFactory, SkillFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_search_filter_and_open_a_profile(sign_in, live_server, browser_errors):
    research = DepartmentFactory(name="Research")
    finance = DepartmentFactory(name="Finance")
    PersonFactory.create_batch(26, department=finance)
    zelda = PersonFactory(
        first_name="Zelda", last_name="Quartermain", title="Lab Lead", department=research
    )
    PersonFactory(first_name="Yusuf", last_name="Quartermain", department=finance)
    PersonFactory(first_name="Olu", last_name="Adeyemi", department=research)
    viewer = ParticipantFactory(person__department=research)

    page = sign_in(viewer.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", name="Directory")).to_be_visible()
    results = page.locator("#results")
    expect(results).to_contain_text("30 people in the directory")

    # Typing searches as you go: htmx swaps the results in and records the search in the URL.
    page.get_by_label("Search", exact=True).press_sequentially("quarterm", delay=20)
    expect(results).to_contain_text("2 people found")
    expect(results.get_by_role("link", name="Zelda Quartermain")).to_be_visible()
    expect(results.get_by_role("link", name="Yusuf Quartermain")).to_be_visible()
    expect(results).not_to_contain_text("Olu Adeyemi")
    expect(page).to_have_url(re.compile(r"/people/\?.*q=quarterm"))

    page.get_by_label("Department").select_option(str(research.pk))
    expect(results).to_contain_text("1 person found")
    assert browser_errors == []
    expect(results.get_by_role("link", name="Yusuf Quartermain")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"department={research.pk}"))
    # The search box kept its text and focus was never taken away by the swap.
    expect(page.get_by_label("Search", exact=True)).to_have_value("quarterm")

    results.get_by_role("link", name="Zelda Quartermain").click()
    expect(page).to_have_url(f"{live_server.url}/people/{zelda.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zelda Quartermain")
    expect(page.locator("main")).to_contain_text("Lab Lead")
    expect(page.get_by_role("link", name="Edit my profile")).to_have_count(0)

    # Back returns to the filtered directory the URL recorded.
    page.go_back()
    expect(page.get_by_label("Search", exact=True)).to_have_value("quarterm")
    expect(results).to_contain_text("1 person found")
    assert browser_errors == []


def test_edit_own_profile_and_see_the_new_skill(sign_in, live_server, browser_errors):
    SkillFactory(name="Python")
    SkillFactory(name="Public speaking")
    viewer = ParticipantFactory(person__first_name="Nia", person__last_name="Okafor")

    page = sign_in(viewer.email)
    page.get_by_role("link", name="Edit my profile").click()
    expect(page.get_by_role("heading", name="Edit my profile")).to_be_visible()

    page.get_by_label("Skills", exact=True).select_option(label="Python")
    page.get_by_label("Other skills").fill("Kubernetes")
    page.get_by_label("Bio").fill("Platform engineer; happy to pair on infrastructure.")
    page.get_by_label("Time zone").select_option("Africa/Lagos")
    page.get_by_role("button", name="Save my profile").click()

    expect(page).to_have_url(f"{live_server.url}/people/{viewer.person.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    skills = page.get_by_role("region", name="Skills")
    expect(skills).to_contain_text("Python")
    expect(skills).to_contain_text("Kubernetes")
    expect(skills).not_to_contain_text("Public speaking")
    expect(page.locator("main")).to_contain_text("Africa/Lagos")
    expect(page.locator("main")).to_contain_text("happy to pair on infrastructure")
    assert browser_errors == []
