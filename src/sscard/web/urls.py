"""The pages: one URL list per area, mounted at the site root (the API lives under /api/v1/)."""

from django.urls import path

from sscard.web.views import session
from sscard.web.views import audit_search, dashboard, settings_pages  # supervisor pages (issue #9)

app_name = "web"

urlpatterns = [
    path("", session.start, name="start"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("session/keepalive/", session.keepalive, name="keepalive"),
]

# supervisor pages (issue #9): the dashboard and the issuance device switch, audit search, settings
urlpatterns += [
    path("supervisor/", dashboard.dashboard, name="dashboard"),
    path("supervisor/outlets/<int:outlet_id>/issuance-status/", dashboard.device_status_set, name="device_status_set"),
    path("supervisor/audit/", audit_search.audit_search, name="audit_search"),
    path("supervisor/settings/", settings_pages.outlets, name="settings"),
    path("supervisor/settings/outlets/<int:outlet_id>/", settings_pages.outlet_edit, name="settings_outlet_edit"),
    path("supervisor/settings/fees/", settings_pages.fees, name="settings_fees"),
    path("supervisor/settings/fees/new/", settings_pages.fee_add, name="settings_fee_add"),
    path("supervisor/settings/fees/<int:rule_id>/", settings_pages.fee_edit, name="settings_fee_edit"),
    path("supervisor/settings/calendar/", settings_pages.calendar, name="settings_calendar"),
    path("supervisor/settings/calendar/new/", settings_pages.calendar_add, name="settings_calendar_add"),
    path("supervisor/settings/calendar/<int:day_id>/", settings_pages.calendar_edit, name="settings_calendar_edit"),
    path("supervisor/settings/calendar/<int:day_id>/delete/", settings_pages.calendar_delete,
         name="settings_calendar_delete"),
]
