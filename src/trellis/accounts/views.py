"""Sign-in, sign-out, password reset and change, and invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from trellis.core.permissions import admin_required

from . import selectors
from .forms import AcceptInvitationForm, InvitePeopleForm, LoginForm, QueuedPasswordResetForm
from .services import InvitationError, find_invitation, invite_people
from .services import accept_invitation as accept


class TrellisLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class TrellisLogoutView(auth_views.LogoutView):
    pass


class TrellisPasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


def password_reset_done(request):
    return render(request, "accounts/password_reset_done.html")


class TrellisPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def password_reset_complete(request):
    return render(request, "accounts/password_reset_complete.html")


class TrellisPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


@admin_required
@require_http_methods(["GET", "POST"])
def invitations(request):
    form = InvitePeopleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = invite_people(
            form.cleaned_data["people"], role=form.cleaned_data["role"], invited_by=request.user
        )
        messages.success(request, f"{len(batch.invited)} invitation(s) sent.")
        if batch.skipped_with_account:
            messages.info(
                request,
                f"{len(batch.skipped_with_account)} already had an account and were skipped.",
            )
        if batch.skipped_inactive:
            messages.warning(
                request,
                f"{len(batch.skipped_inactive)} are inactive in the directory and were skipped.",
            )
        return redirect("accounts:invitations")
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "recent": selectors.recent_invitations(), **selectors.account_coverage()},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    try:
        invitation = find_invitation(token)
    except InvitationError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, person=invitation.person)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept(token, form.cleaned_data["password1"])
        except InvitationError as error:
            return render(
                request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410
            )
        login(request, user, backend="trellis.accounts.backends.ModelBackend")
        messages.success(request, "Welcome to Trellis. Your account is ready.")
        # A program invitation sends people on to the program's page; only local paths.
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("core:home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )
