from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.TrellisLoginView.as_view(), name="login"),
    path("logout/", views.TrellisLogoutView.as_view(), name="logout"),
    path("password-reset/", views.TrellisPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.TrellisPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("password/", views.TrellisPasswordChangeView.as_view(), name="password_change"),
    path("invitations/", views.invitations, name="invitations"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
