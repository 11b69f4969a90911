"""The fictional demo district behind `manage.py seed_demo` (示范区东湖街道): data tables, people, build."""
