"""Who may manage a program: organisation admins, and the program managers named on it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Program


def can_manage_program(user, program: Program) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_org_admin:
        return True
    return user.is_program_manager and program.managers.filter(pk=user.pk).exists()


def program_manager_of_program(view):
    """Load the program named by the `slug` URL argument and require that the user manages it.

    The view receives the program instead of the slug: `view(request, program, **kwargs)`.
    """

    @login_required
    @wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        program = get_object_or_404(Program, slug=slug)
        if not can_manage_program(request.user, program):
            raise PermissionDenied("Only this program's managers may do this.")
        return view(request, program, *args, **kwargs)

    return wrapped
