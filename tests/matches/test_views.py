"""The matching pages: start a run with tuned weights, review, change by hand, publish."""

import pytest
from django.urls import reverse

from tests.helpers import page_text
from tests.matches.conftest import _people
from trellis.matches.models import MatchRun, PairRule, RunStatus
from trellis.mentorships.models import Mentorship
from trellis.programs.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, program_manager):
    client.force_login(program_manager)
    return client


@pytest.fixture
def program(program_manager):
    from tests.factories import ProgramFactory

    return ProgramFactory(
        status=Status.MATCHING,
        mentor_capacity=2,
        matching_weights={"skills": 3, "seniority": 1},
        managed_by=[program_manager],
    )


def _start(client, program, **weights):
    data = {
        f"weight_{name}": 0
        for name in [
            "skills",
            "goals",
            "seniority",
            "department",
            "time_zone",
            "language",
            "text",
            "preferences",
        ]
    }
    data.update({f"weight_{k}": v for k, v in weights.items()})
    return client.post(reverse("matches:runs", args=[program.slug]), data)


def test_the_form_is_prefilled_from_the_program_and_a_run_starts(manager_client, program):
    _people(program, mentees=6, mentors=3)
    page = manager_client.get(reverse("matches:runs", args=[program.slug]))
    assert page.status_code == 200
    assert 'name="weight_skills" id="id_weight_skills" value="3' in page.content.decode()
    response = _start(manager_client, program, skills=2, department=1)
    run = MatchRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matches:run", args=[program.slug, run.number])
    assert run.settings["weights"] == {"skills": 2.0, "department": 1.0}
    text = page_text(manager_client.get(response["Location"]))
    assert "6 / 6 mentees matched" in text
    assert "Proven optimal for these weights" in text
    assert "Publish 6 pairs" in text


def test_all_weights_zero_is_refused_with_a_reason(manager_client, program):
    response = _start(manager_client, program)
    assert response.status_code == 200
    assert "Give at least one criterion a weight above 0." in page_text(response)
    assert not MatchRun.objects.exists()


def test_progress_fragment_asks_htmx_to_reload_when_done(manager_client, program):
    _people(program, mentees=2, mentors=1)
    _start(manager_client, program, skills=1)
    url = reverse("matches:progress", args=[program.slug, 1])
    response = manager_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_review_actions_and_publish_through_the_pages(manager_client, program, mailoutbox):
    _people(program, mentees=4, mentors=2)
    _start(manager_client, program, skills=1)
    run = MatchRun.objects.get()
    first, second = list(run.proposals.order_by("pk"))[:2]
    action = reverse("matches:proposal_action", args=[program.slug, run.number, first.pk])
    manager_client.post(action, {"action": "lock"})
    assert PairRule.objects.filter(kind="lock", mentee=first.mentee).exists()
    # assigning an unknown email says so
    response = manager_client.post(
        action, {"action": "assign", "mentor": "nobody@example.com"}, follow=True
    )
    assert "No mentor of this program has the email" in page_text(response)
    # leave one unmatched, then re-run: the lock is kept
    other = reverse("matches:proposal_action", args=[program.slug, run.number, second.pk])
    manager_client.post(other, {"action": "unassign"})
    second.refresh_from_db()
    assert second.mentor_id is None
    response = manager_client.post(reverse("matches:rerun", args=[program.slug, run.number]))
    rerun = MatchRun.objects.get(number=2)
    assert rerun.proposals.get(mentee=first.mentee).mentor_id == first.mentor_id
    compare = manager_client.get(reverse("matches:compare", args=[program.slug]), {"a": 1, "b": 2})
    assert "Run 1 and run 2" in page_text(compare)
    response = manager_client.post(
        reverse("matches:publish", args=[program.slug, rerun.number]), follow=True
    )
    assert "Published: 4 mentorships" in page_text(response)
    assert Mentorship.objects.count() == 4
    assert MatchRun.objects.get(number=1).status == RunStatus.SUPERSEDED
    assert len(mailoutbox) == 8


def test_runs_of_another_program_are_not_reachable(manager_client, program, program_manager):
    from tests.factories import ProgramFactory

    other = ProgramFactory(managed_by=[program_manager])
    _people(program, mentees=2, mentors=1)
    _start(manager_client, program, skills=1)
    url = reverse("matches:run", args=[other.slug, 1])
    assert manager_client.get(url).status_code == 404


def test_the_return_address_of_an_action_stays_on_this_site(manager_client, program):
    _people(program, mentees=2, mentors=1)
    _start(manager_client, program, skills=1)
    run = MatchRun.objects.get()
    proposal = run.proposals.first()
    url = reverse("matches:proposal_action", args=[program.slug, run.number, proposal.pk])
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = manager_client.post(url, {"action": "lock", "next": evil})
        assert response["Location"] == reverse("matches:run", args=[program.slug, run.number])
