"""Outgoing notifications. Today: templated email, sent by a background task.

Every message is rendered from three templates, `<name>.subject.txt`, `<name>.txt` and
`<name>.html`, under `notifications/email/`, then queued; nothing slow runs in a request.
Later channels (Teams, Slack) plug in here, behind the same `notify_*` calls.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .tasks import deliver_email


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: dict) -> RenderedEmail:
    base = f"notifications/email/{template}"
    context = {
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        **context,
    }
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    return RenderedEmail(
        subject=subject,
        text=render_to_string(f"{base}.txt", context),
        html=render_to_string(f"{base}.html", context),
    )


def send_templated_email(
    template: str, to: str | list[str], context: dict, *, calendar: dict | None = None
) -> None:
    """Render the named email for its recipients and queue it for delivery (with a calendar
    invitation when `calendar` is given: see deliver_email)."""
    recipients = [to] if isinstance(to, str) else list(to)
    email = render_email(template, context)
    deliver_email.enqueue(
        subject=email.subject,
        text=email.text,
        html=email.html,
        to=recipients,
        calendar=calendar,
    )
