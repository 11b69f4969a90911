from django.urls import path

from branches import views

app_name = "branches"

urlpatterns = [
    path("organisations/", views.organisation_tree, name="organisation_tree"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/export/", views.person_export, name="person_export"),
    path("people/accounts/open/", views.people_accounts_open, name="people_accounts_open"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_update, name="person_update"),
    path("people/<int:pk>/status/", views.person_status_add, name="person_status_add"),
    path("people/<int:pk>/events/", views.person_event_add, name="person_event_add"),
    path("people/<int:pk>/roles/", views.person_role_add, name="person_role_add"),
    path("people/<int:pk>/mobile/", views.mobile_depart, name="mobile_depart"),
    path("people/<int:pk>/account/open/", views.person_account_open, name="person_account_open"),
    path("people/<int:pk>/account/link/", views.person_account_link, name="person_account_link"),
    path("people/<int:pk>/account/reset/", views.person_password_reset, name="person_password_reset"),
    path("mobile/", views.mobile_list, name="mobile_list"),
    path("mobile/<int:pk>/", views.mobile_detail, name="mobile_detail"),
    path("mobile/<int:pk>/reports/", views.mobile_report_add, name="mobile_report_add"),
    path("mobile/<int:pk>/return/", views.mobile_return, name="mobile_return"),
]
