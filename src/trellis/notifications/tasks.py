"""Background delivery of email through the configured mailer."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task(queue_name="default")
def deliver_email(
    *, subject: str, text: str, html: str, to: list[str], calendar: dict | None = None
) -> int:
    """Send one multipart (text + HTML) message; returns the number sent.

    calendar: {"ics": text, "method": "REQUEST" | "CANCEL"}: a calendar invitation, added as a
    `text/calendar; method=...` alternative (what Outlook and Google Calendar act on) and as an
    invite.ics attachment for other mail programs.
    """
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    if calendar:
        method = calendar["method"]
        message.attach_alternative(
            calendar["ics"], f"text/calendar; method={method}; charset=UTF-8"
        )
        message.attach("invite.ics", calendar["ics"], "application/ics")
    return message.send()
