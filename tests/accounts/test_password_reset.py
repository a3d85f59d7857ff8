import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    match = re.search(r"http://[^\s]+/accounts/reset/[^\s]+/", message.body)
    assert match, message.body
    return match.group(0).split("http://127.0.0.1:8000", 1)[1]


def test_password_reset_sends_a_text_and_html_email_with_a_working_link(client):
    user = ParticipantFactory(email="ada@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reset your Trellis password"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = _link(message)
    assert link.split("/")[-2] in html

    # The link redirects to a set-password form (Django hides the token from the URL).
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")

    # The link works once.
    response = client.get(link, follow=True)
    assert not response.context["validlink"]


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_requires_the_old_password(client):
    user = ParticipantFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another long phrase",
            "new_password2": "another long phrase",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("correct horse battery")
