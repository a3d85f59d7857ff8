from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("trellis.core.urls")),
    path("accounts/", include("trellis.accounts.urls")),
    path("people/", include("trellis.people.urls")),
    path("programs/", include("trellis.programs.urls")),
    path("programs/<slug:slug>/", include("trellis.enrolment.urls")),
    path("programs/<slug:slug>/matching/", include("trellis.matches.urls")),
    path("programs/<slug:slug>/mentorships/", include("trellis.mentorships.urls")),
    path("", include("trellis.reports.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "trellis.core.views.permission_denied"
handler404 = "trellis.core.views.page_not_found"
handler500 = "trellis.core.views.server_error"
