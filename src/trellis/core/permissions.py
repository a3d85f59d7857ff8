"""Who may open what: role checks shared by every view.

Anonymous visitors are sent to sign in; signed-in people without the role get 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(check: Callable[[object], bool]):
    """Decorate a view so only users for whom `check(user)` is true may open it."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_org_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_org_admin


def is_program_manager(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_program_manager


admin_required = role_required(is_org_admin)
program_manager_required = role_required(is_program_manager)
