"""Evaluation pages, one module per area; each module lists its own urlpatterns (evaluations/urls.py joins them)."""
