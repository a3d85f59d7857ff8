"""`trellis run-schedules`: the scheduled work of matching; run it from cron every 15 minutes."""

from django.core.management.base import BaseCommand

from trellis.matches.schedules import run_schedules


class Command(BaseCommand):
    help = (
        "Expire unanswered mentor requests, match the newcomers of evergreen programs, open "
        "due surveys, send the weekly digests and the monthly summaries (run it from cron, "
        "e.g. every 15 minutes)."
    )

    def handle(self, *args, **options):
        report = run_schedules()
        self.stdout.write(
            f"{report.expired_requests} request(s) expired; {len(report.runs)} evergreen run(s), "
            f"{report.published} pair(s) published; {report.surveys_opened} survey(s) opened; "
            f"{report.digests_sent} weekly digest(s) sent; {report.summaries_sent} monthly "
            "summary email(s) sent."
        )
        for line in report.skipped:
            self.stdout.write(f"skipped {line}")
