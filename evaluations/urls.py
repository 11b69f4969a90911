"""Mounted at the site root: the public short links (/r/<code>/ to rate, /q/<code>/ to answer) must be short
enough for a QR code and a poster; staff pages live under evaluations/."""

from evaluations.views import assessment, follow_ups, points, questionnaires, ratings, reviews, stats

app_name = "evaluations"

urlpatterns = [
    *ratings.urlpatterns,
    *follow_ups.urlpatterns,
    *stats.urlpatterns,
    *questionnaires.urlpatterns,
    *points.urlpatterns,
    *reviews.urlpatterns,
    *assessment.urlpatterns,
]
