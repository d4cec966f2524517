from django.contrib import admin
from django.urls import include, path

from sscard.api.root import api
from sscard.config import health

# The admin's own titles in Chinese (its built-in texts follow the pages' language, zh-hans by default).
admin.site.site_header = "重庆市第三代社保卡业务经办系统 · 参数设置"
admin.site.site_title = "社保卡业务经办系统"
admin.site.index_title = "参数设置与业务查询"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # liveness / readiness, no sign-in (config.health)
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the pages' language switcher (POST)
    path("", include("sscard.web.urls")),
]

# 503 with Retry-After instead of 500 while the database is away (core.unavailable); else Django's 500.
handler500 = "sscard.core.unavailable.server_error"
