from django.urls import path

from . import form_views, survey_views, views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("templates/", views.template_list, name="templates"),
    path("new/<slug:template_key>/", views.create_from_template, name="create"),
    path("<slug:slug>/", views.landing, name="landing"),
    path("<slug:slug>/settings/", views.program_settings, name="settings"),
    path("<slug:slug>/status/", views.change_status, name="change_status"),
    path("<slug:slug>/okrs/", views.okrs, name="okrs"),
    path("<slug:slug>/surveys/", survey_views.surveys, name="surveys"),
    path("<slug:slug>/save-as-template/", views.save_as_template, name="save_as_template"),
    path("<slug:slug>/form/", form_views.form_builder, name="form_builder"),
    path("<slug:slug>/form/preview/", form_views.form_preview, name="form_preview"),
    path("<slug:slug>/form/questions/<int:pk>/", form_views.question_edit, name="question_edit"),
    path(
        "<slug:slug>/form/questions/<int:pk>/delete/",
        form_views.question_delete,
        name="question_delete",
    ),
    path(
        "<slug:slug>/form/questions/<int:pk>/move/", form_views.question_move, name="question_move"
    ),
]
