"""Django's admin site, restricted to organisation admins, answering 403 to everyone else.

The stock site sends a signed-in non-staff user to its own login page; we refuse plainly, as
every other page does, and send anonymous visitors to Trellis's sign-in page.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied


class TrellisAdminSite(admin.AdminSite):
    site_header = "Trellis data administration"
    site_title = "Trellis admin"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Only organisation admins may use the data administration.")
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("Only organisation admins may use the data administration.")
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.GET.get("next", request.get_full_path()))
        return super().login(request, extra_context)


class TrellisAdminConfig(AdminConfig):
    default_site = "trellis.core.admin_site.TrellisAdminSite"
