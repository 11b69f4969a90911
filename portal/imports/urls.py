from django.urls import path

from portal.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_index, name="index"),
    path("<slug:kind>/", views.import_upload, name="upload"),
    path("<slug:kind>/confirm/", views.import_confirm, name="confirm"),
    path("<slug:kind>/template/", views.import_template, name="template"),
    path("<slug:kind>/discard/", views.import_discard, name="discard"),
    path("<slug:kind>/resume/<str:token>/", views.import_resume, name="resume"),
]
