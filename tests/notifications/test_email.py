import logging
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from trellis.notifications.services import render_email, send_templated_email


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    # aiosmtpd logs each session from its own thread, sometimes after pytest has closed the
    # captured stream ("Logging error ... I/O operation on closed file"): keep it to warnings.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_rendered_email_has_subject_text_and_html():
    email = render_email(
        "invitation",
        {
            "first_name": "Ada",
            "inviter_name": "Grace",
            "invitation_url": "http://x/accounts/invite/t/",
            "expires_at": None,
        },
    )
    assert email.subject.startswith("Grace invites you to mentoring")
    assert "\n" not in email.subject
    assert "Hello Ada" in email.text and "<html" not in email.text
    assert "Hello Ada" in email.html and "http://x/accounts/invite/t/" in email.html


def test_email_is_delivered_over_smtp_by_the_task(smtp_server, settings):
    controller, inbox = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    send_templated_email(
        "password_reset",
        "ada@example.com",
        {"first_name": "Ada", "reset_url": "http://x/reset/abc/"},
    )
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Reset your Trellis password"
    types = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types
    assert "http://x/reset/abc/" in message.get_body(("plain",)).get_content()


def test_email_goes_through_the_task_queue(settings):
    # Tests run tasks immediately; the message reaches the (test) outbox through deliver_email.
    send_templated_email(
        "password_reset",
        ["a@example.com", "b@example.com"],
        {"first_name": "A", "reset_url": "http://x/"},
    )
    assert mail.outbox[0].to == ["a@example.com", "b@example.com"]
