"""Navigation for the base layout, chosen by the signed-in user's role."""

from django.conf import settings
from django.urls import reverse


def navigation(request):
    user = getattr(request, "user", None)
    items: list[dict[str, str]] = []
    if user is not None and user.is_authenticated:
        items.append({"label": "Home", "url": reverse("core:home")})
        items.append({"label": "Programs", "url": reverse("programs:list")})
        items.append({"label": "Directory", "url": reverse("people:directory")})
        if user.is_org_admin or user.is_program_manager:
            items.append({"label": "Reports", "url": reverse("reports:overview")})
        if user.is_org_admin:
            items.append({"label": "Import people", "url": reverse("people:import")})
            items.append({"label": "Invitations", "url": reverse("accounts:invitations")})
    current = request.path if request is not None else ""
    for item in items:
        url = item["url"]
        item["current"] = current == url or (url != "/" and current.startswith(url))
    return {"nav_items": items, "organisation_name": settings.ORGANISATION_NAME}
