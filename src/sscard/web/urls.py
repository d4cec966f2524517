"""The pages: one URL list per area, mounted at the site root (the API lives under /api/v1/)."""

from django.urls import path

from sscard.web.views import session

app_name = "web"

urlpatterns = [
    path("", session.start, name="start"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
]
