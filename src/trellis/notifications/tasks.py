"""Background delivery of email through the configured mailer."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task(queue_name="default")
def deliver_email(*, subject: str, text: str, html: str, to: list[str]) -> int:
    """Send one multipart (text + HTML) message; returns the number sent."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    return message.send()
