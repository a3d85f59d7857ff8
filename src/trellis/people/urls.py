from django.urls import path

from . import import_views, views

app_name = "people"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/", views.profile, name="profile"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<uuid:token>/", import_views.import_preview, name="import_preview"),
]
