from services.views import activities, attendance, imports, teams

app_name = "services"

urlpatterns = [*activities.urlpatterns, *attendance.urlpatterns, *teams.urlpatterns, *imports.urlpatterns]
