"""Mounted under programs/<slug>/matching/: match runs for the program's managers, and the
self-matching pages of its participants."""

from django.urls import path

from . import participant_views, views

app_name = "matches"
urlpatterns = [
    # participants: self-matching (each view checks the person's own role in the program)
    path("find-a-mentor/", participant_views.find_mentor, name="find_mentor"),
    path("requests/", participant_views.my_requests, name="my_requests"),
    path("requests/<int:pk>/answer/", participant_views.answer, name="answer_request"),
    path("requests/<int:pk>/withdraw/", participant_views.withdraw, name="withdraw_request"),
    # the program's managers
    path("", views.runs, name="runs"),
    path("compare/", views.compare, name="compare"),
    path("rematch/", views.rematch_queue, name="rematch_queue"),
    path("rematch/<int:pk>/", views.rematch_decide, name="rematch_decide"),
    path("rules/<int:pk>/delete/", views.delete_rule, name="delete_rule"),
    path("runs/<int:number>/", views.run_detail, name="run"),
    path("runs/<int:number>/progress/", views.run_progress, name="progress"),
    path("runs/<int:number>/rerun/", views.rerun_view, name="rerun"),
    path("runs/<int:number>/publish/", views.publish, name="publish"),
    path(
        "runs/<int:number>/proposals/<int:pk>/",
        views.proposal_action,
        name="proposal_action",
    ),
]
