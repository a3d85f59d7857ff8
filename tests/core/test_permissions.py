"""Every page is classified by who may open it, and a participant is refused every admin and
program-manager page. A new URL that is not classified here fails the completeness test."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PersonFactory

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
}
ADMIN_ONLY = {
    "people:import",
    "people:import_preview",
    "accounts:invitations",
}
PROGRAM_MANAGER_ONLY: set[str] = set()


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
    samples = {"people:import_preview": [uuid.uuid4()], "people:profile": [PersonFactory().pk]}
    return reverse(name, args=samples.get(name, []))


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
