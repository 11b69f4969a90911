"""Evaluations: one module per area (ratings, follow_ups, stats, questionnaires)."""
