"""Directory and profile pages: search the directory, read a profile, edit your own.

Every signed-in person may read the directory and active profiles. The only profile anyone can
edit is their own: the edit page has no id in its URL and always works on `request.user.person`.
"""

import datetime
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from .forms import DirectoryFilterForm, ProfileForm
from .selectors import filter_options, person_profile, search_directory


def can_see_inactive_people(user) -> bool:
    """Program managers and admins may look up people who have left; participants may not."""
    return user.is_program_manager


@login_required
@require_safe
def directory(request):
    criteria = DirectoryFilterForm(request.GET).criteria()
    criteria["include_inactive"] &= can_see_inactive_people(request.user)
    page = search_directory(**criteria, page=request.GET.get("page"))
    context = {
        "page_obj": page,
        "criteria": criteria,
        "is_filtered": bool(
            criteria["query"]
            or criteria["department_id"]
            or criteria["location_id"]
            or criteria["skill_ids"]
        ),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "people/directory.html#results", context)
    else:
        context["options"] = filter_options()
        context["can_see_inactive"] = can_see_inactive_people(request.user)
        response = render(request, "people/directory.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def profile(request, pk: int):
    is_own_profile = request.user.person_id == pk
    found = person_profile(
        pk, include_inactive=is_own_profile or can_see_inactive_people(request.user)
    )
    if found is None:
        raise Http404("No such person in the directory.")
    person = found.person
    time_zone_name = person.effective_time_zone
    today = timezone.localdate()
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "direct_reports": found.direct_reports,
            "direct_report_count": found.direct_report_count,
            "is_own_profile": is_own_profile,
            "can_see_inactive": can_see_inactive_people(request.user),
            "time_zone_name": time_zone_name,
            "local_time": local_time(time_zone_name),
            "has_started": person.hire_date is not None and person.hire_date <= today,
        },
    )


def local_time(time_zone_name: str) -> datetime.datetime | None:
    """The current time in the named zone; None for a zone this machine does not know."""
    try:
        return timezone.localtime(timezone=zoneinfo.ZoneInfo(time_zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    person = request.user.person
    if person is None:
        raise PermissionDenied(
            "Your account is not linked to a person in the directory, so there is no profile "
            "to edit."
        )
    if request.method == "POST":
        form = ProfileForm(request.POST, person=person)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile has been saved.")
            return redirect("people:profile", pk=person.pk)
    else:
        form = ProfileForm(person=person)
    return render(request, "people/profile_edit.html", {"form": form, "person": person})
