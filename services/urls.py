from services.views import activities, attendance, demands, imports, pairing, pledges, teams

app_name = "services"

urlpatterns = [
    *activities.urlpatterns,
    *attendance.urlpatterns,
    *teams.urlpatterns,
    *imports.urlpatterns,
    *demands.urlpatterns,
    *pledges.urlpatterns,
    *pairing.urlpatterns,
]
