"""Mounted under programs/<slug>/mentorships/."""

from django.urls import path

from . import views

app_name = "mentorships"
urlpatterns = [
    path("", views.pair_health_page, name="health"),
    path("<int:pk>/", views.workspace, name="workspace"),
    path("<int:pk>/end/", views.end_own, name="end"),
    path("<int:pk>/manage/", views.manage_pair, name="manage"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("<int:pk>/rematch/", views.ask_for_rematch, name="ask_for_rematch"),
    path("<int:pk>/answer/", views.answer_proposal, name="answer_proposal"),
]
