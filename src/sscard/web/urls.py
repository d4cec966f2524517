"""The pages: one URL list per area, mounted at the site root (the API lives under /api/v1/)."""

from django.urls import path

from sscard.web.views import session
from sscard.web.views import dashboard  # supervisor pages (issue #9)

app_name = "web"

urlpatterns = [
    path("", session.start, name="start"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
]

# supervisor pages (issue #9): the dashboard and the issuance device switch
urlpatterns += [
    path("supervisor/", dashboard.dashboard, name="dashboard"),
    path("supervisor/outlets/<int:outlet_id>/issuance-status/", dashboard.device_status_set, name="device_status_set"),
]
