from django.urls import include, path


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), path("", include("trellis.urls"))]
handler500 = "trellis.core.views.server_error"
