from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = "服务型党组织建设平台 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "数据管理"

# The error page shows the request id (错误编号) so that a user can quote it.
handler500 = "portal.views.server_error"

urlpatterns = [
    # The home page, the yearly reports and the dashboards: the top layer (reports), named by string like every app.
    path("", include("reports.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("status/", views.system_status, name="system_status"),
    path("accounts/initial-password/", views.initial_password_set, name="initial_password_set"),
    path("accounts/", include("allauth.urls")),
    path("inbox/", include("portal.notifications")),
    path("audit/", include("portal.audit_views")),
    path("imports/", include("portal.imports.urls")),
    path("branches/", include("branches.urls")),
    path("services/", include("services.urls")),
    path("meetings/", include("meetings.views")),
    path("", include("evaluations.urls")),
    path("admin/", admin.site.urls),
]
