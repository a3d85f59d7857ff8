"""The home page, a health check, and the error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from trellis.people.selectors import directory_summary


@login_required
def home(request):
    from trellis.mentorships.selectors import my_mentoring

    person_id = request.user.person_id if request.user.is_authenticated else None
    return render(
        request,
        "core/home.html",
        {"summary": directory_summary(), "mentoring": my_mentoring(person_id)},
    )


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
