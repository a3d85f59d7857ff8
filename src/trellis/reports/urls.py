"""Mounted at the site root: program reports under programs/<slug>/reports/, the overview and
the outcomes import under reports/."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.overview, name="overview"),
    path("reports/programs.<str:fmt>", views.overview_export, name="overview_export"),
    path("reports/outcomes/import/", views.outcome_upload, name="outcome_upload"),
    path("reports/outcomes/import/<uuid:token>/", views.outcome_preview, name="outcome_preview"),
    path("programs/<slug:slug>/reports/", views.dashboard, name="dashboard"),
    path("programs/<slug:slug>/reports/summary/", views.summary, name="summary"),
    path("programs/<slug:slug>/reports/outcomes/", views.outcomes, name="outcomes"),
    path("programs/<slug:slug>/reports/<slug:table>.<str:fmt>", views.export, name="export"),
]
