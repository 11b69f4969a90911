from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = "服务型党组织建设平台 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/initial-password/", views.initial_password_set, name="initial_password_set"),
    path("accounts/", include("allauth.urls")),
    path("inbox/", include("portal.notifications")),
    path("reports/", include("portal.reports.views")),
    path("dashboards/", include("portal.dashboards.views")),
    path("audit/", include("portal.audit_views")),
    path("imports/", include("portal.imports.urls")),
    path("branches/", include("branches.urls")),
    path("services/", include("services.urls")),
    path("meetings/", include("meetings.views")),
    path("", include("evaluations.urls")),
    path("admin/", admin.site.urls),
]
