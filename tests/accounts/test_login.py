import pytest
from django.urls import reverse

from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_sign_in_with_email_and_password_reaches_home(client):
    user = ParticipantFactory(email="ada@example.com")
    response = client.post(
        reverse("accounts:login"),
        {"username": "Ada@Example.com", "password": PASSWORD},
        follow=True,
    )
    assert response.context["user"] == user
    assert f"Welcome, {user.person.first_name}" in response.content.decode()


def test_wrong_password_shows_error_and_does_not_sign_in(client):
    ParticipantFactory(email="ada@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "ada@example.com", "password": "nope-nope-nope"}
    )
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "enter a correct email and password" in response.content.decode().lower()


def test_passwords_are_hashed_with_argon2_in_production_settings(settings):
    from django.contrib.auth.hashers import get_hasher

    from trellis import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = ParticipantFactory()
    user.set_password("a fine long passphrase")
    assert user.password.startswith("argon2")
    assert get_hasher("default").algorithm == "argon2"


def test_sign_out_needs_post_and_ends_the_session(client):
    user = ParticipantFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("people:directory"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_repeated_failures_lock_the_account_out_with_429(client, settings):
    ParticipantFactory(email="ada@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "ada@example.com", "password": "bad"})
    # Even the right password is refused while locked out.
    response = client.post(
        reverse("accounts:login"), {"username": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not client.get(reverse("core:home")).wsgi_request.user.is_authenticated


def test_lockout_is_per_account(client, settings):
    ParticipantFactory(email="ada@example.com")
    ParticipantFactory(email="grace@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "ada@example.com", "password": "bad"})
    response = client.post(
        reverse("accounts:login"), {"username": "grace@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
