"""Mounted under programs/<slug>/matching/: match runs for the program's managers."""

from django.urls import path

from . import views

app_name = "matches"
urlpatterns = [
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
