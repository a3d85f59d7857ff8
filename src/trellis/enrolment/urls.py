"""Mounted under programs/<slug>/: registration for participants, the roster for managers."""

from django.urls import path

from . import manager_views, views

app_name = "enrolment"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("participants/", manager_views.participants, name="participants"),
    path("participants/export.csv", manager_views.export_participants, name="export"),
    path("participants/bulk/", manager_views.bulk_action, name="bulk_action"),
    path("participants/<int:pk>/", manager_views.participant_detail, name="participant_detail"),
    path("supply-demand/", manager_views.supply_demand, name="supply_demand"),
    path("invite/", manager_views.invite, name="invite"),
]
