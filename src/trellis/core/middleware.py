"""Each signed-in person sees dates and times in their own time zone (their directory entry's,
else their office's), not the server's."""

import zoneinfo

from django.utils import timezone


class PersonTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        person = getattr(user, "person", None) if user and user.is_authenticated else None
        if person is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(person.effective_time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
