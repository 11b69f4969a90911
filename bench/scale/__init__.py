"""Scale data for benchmarks: `manage.py generate_scale_data --scale district` fills an empty PostgreSQL database with
a year of a district the size of a real one — 3,656 party organisations, 71,771 party members, 100,000 activities
with 1,000,000 participations, 200,000 public ratings — and everything around them (grids, host units, roles,
membership events, mobile members, teams, hours, demands, pledges, pairing visits, follow-ups, the points ledger,
review rounds, branch assessments). `--scale town` is a tenth of it, `--scale demo` a few hundred people (tests).

This is a benchmark fixture, not a user path. The demo builders (`branches.demo`, `services.demo`,
`evaluations.demo`) write through the actions, which is right for a demo and far too slow for a million rows; here
the rows are generated in memory and written straight into the tables (PostgreSQL COPY, plain INSERTs elsewhere).
What keeps the data valid is that the generator reuses the application's own rules wherever they are pure: the
treebeard path arithmetic, the ID-number storage, the working-day deadlines, the points settle's keys, order and
caps, the review arithmetic (mass score, weighted total, grades) and the assessment figures and stars; and the
demo builders' planner and texts. The tests check the result against the application: treebeard's
`find_problems`, a real points settle that must book nothing, the real mass scores and assessment figures.

Deterministic: the same scale, year and seed give the same rows (each stage has its own seeded generator).
"""

from bench.scale.build import AlreadyHasData, Refused, generate
from bench.scale.spec import SCALES, Scale

__all__ = ["SCALES", "AlreadyHasData", "Refused", "Scale", "generate"]
