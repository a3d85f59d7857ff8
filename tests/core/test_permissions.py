"""Every page is classified by who may open it, and a participant is refused every admin and
program-manager page. A new URL that is not classified here fails the completeness test."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PersonFactory
from trellis.enrolment.models import Participant
from trellis.programs.models import Program, ProgramTemplate, Question

pytestmark = pytest.mark.django_db

PUBLIC = {
    "core:health",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:accept_invitation",
}
SIGNED_IN = {
    "core:home",
    "accounts:password_change",
    "people:directory",
    "people:profile",
    "people:profile_edit",
    "programs:list",
    "programs:landing",
    "enrolment:join",
    "enrolment:withdraw",
    "mentorships:ask_for_rematch",
    "mentorships:answer_proposal",
    "mentorships:workspace",
    "mentorships:end",
    "mentorships:survey",
    "matches:find_mentor",
    "matches:my_requests",
    "matches:answer_request",
    "matches:withdraw_request",
}
ADMIN_ONLY = {
    "people:import",
    "people:import_preview",
    "accounts:invitations",
    "reports:outcome_upload",
    "reports:outcome_preview",
}
# Program managers of the program in the URL (and org admins).
PROGRAM_MANAGER_ONLY = {
    "programs:templates",
    "programs:create",
    "programs:settings",
    "programs:change_status",
    "programs:okrs",
    "programs:surveys",
    "programs:save_as_template",
    "programs:form_builder",
    "programs:form_preview",
    "programs:question_edit",
    "programs:question_delete",
    "programs:question_move",
    "enrolment:participants",
    "enrolment:export",
    "enrolment:bulk_action",
    "enrolment:participant_detail",
    "enrolment:supply_demand",
    "enrolment:invite",
    "matches:runs",
    "matches:compare",
    "matches:delete_rule",
    "matches:run",
    "matches:progress",
    "matches:rerun",
    "matches:publish",
    "matches:proposal_action",
    "matches:rematch_queue",
    "matches:rematch_decide",
    "mentorships:health",
    "mentorships:manage",
    "reports:overview",
    "reports:overview_export",
    "reports:dashboard",
    "reports:summary",
    "reports:outcomes",
    "reports:export",
}
# Pages for every program manager, each seeing only the programs they manage.
ROLE_WIDE = {"programs:templates", "programs:create", "reports:overview", "reports:overview_export"}


def _names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.app_name == "admin":
                continue  # Django's admin site: checked separately below.
            yield from _names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def _url(name: str) -> str:
    person = PersonFactory()
    program = Program.objects.create(name="Career mentoring", slug="career", status="enrolling")
    question = Question.objects.create(program=program, kind="short_text", label="Why?")
    participant = Participant.objects.create(program=program, person=person, role="mentee")
    template = ProgramTemplate.objects.create(key="buddy", name="Buddy", definition={})
    args = {
        "people:import_preview": [uuid.uuid4()],
        "people:profile": [person.pk],
        "programs:create": [template.key],
        "programs:question_edit": [program.slug, question.pk],
        "programs:question_delete": [program.slug, question.pk],
        "programs:question_move": [program.slug, question.pk],
        "enrolment:participant_detail": [program.slug, participant.pk],
        "matches:delete_rule": [program.slug, 1],
        "matches:run": [program.slug, 1],
        "matches:progress": [program.slug, 1],
        "matches:rerun": [program.slug, 1],
        "matches:publish": [program.slug, 1],
        "matches:proposal_action": [program.slug, 1, 1],
        "matches:rematch_decide": [program.slug, 1],
        "mentorships:ask_for_rematch": [program.slug, 1],
        "mentorships:answer_proposal": [program.slug, 1],
        "mentorships:workspace": [program.slug, 1],
        "mentorships:end": [program.slug, 1],
        "mentorships:manage": [program.slug, 1],
        "mentorships:survey": [program.slug, 1],
        "matches:answer_request": [program.slug, 1],
        "matches:withdraw_request": [program.slug, 1],
        "reports:outcome_preview": [uuid.uuid4()],
        "reports:export": [program.slug, "all", "xlsx"],
        "reports:overview_export": ["csv"],
    }
    if name in args:
        return reverse(name, args=args[name])
    program_pages = ("enrolment:", "programs:", "matches:", "mentorships:", "reports:")
    if name.startswith(program_pages) and name not in {
        "programs:list",
        "programs:templates",
        "reports:overview",
        "reports:outcome_upload",
    }:
        return reverse(name, args=[program.slug])
    return reverse(name)


def test_every_page_is_classified():
    classified = PUBLIC | SIGNED_IN | ADMIN_ONLY | PROGRAM_MANAGER_ONLY
    unclassified = set(_names()) - classified
    assert not unclassified, f"classify these pages in {__file__}: {sorted(unclassified)}"


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY | PROGRAM_MANAGER_ONLY))
def test_participant_gets_403_on_admin_and_program_manager_pages(participant_client, name):
    url = _url(name)
    assert participant_client.get(url).status_code == 403
    assert participant_client.post(url, {}).status_code == 403


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY))
def test_program_manager_gets_403_on_admin_pages(client, program_manager, name):
    client.force_login(program_manager)
    assert client.get(_url(name)).status_code == 403


@pytest.mark.parametrize("name", sorted(PROGRAM_MANAGER_ONLY - ROLE_WIDE))
def test_manager_of_another_program_gets_403(client, program_manager, name):
    url = _url(name)  # the program in the URL is not one program_manager manages
    client.force_login(program_manager)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY | PROGRAM_MANAGER_ONLY | SIGNED_IN))
def test_anonymous_visitor_is_sent_to_sign_in(client, name):
    response = client.get(_url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/people/person/", "/admin/accounts/user/", "/admin/login/"]
)
def test_participant_gets_403_on_the_data_administration(participant_client, url):
    response = participant_client.get(url)
    assert response.status_code == 403
    assert "do not have access" in response.content.decode()


def test_org_admin_opens_the_data_administration(admin_client_):
    assert admin_client_.get("/admin/people/person/").status_code == 200


def test_403_page_is_the_friendly_one(participant_client):
    response = participant_client.get(reverse("accounts:invitations"))
    assert "You do not have access to this page" in response.content.decode()


def test_404_page_is_the_friendly_one(participant_client):
    response = participant_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
