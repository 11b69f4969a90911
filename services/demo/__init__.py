"""The demo district's volunteer teams and its year of service activities (`manage.py seed_demo`, after the
branches demo): data tables in `data`, the build in `build`."""
