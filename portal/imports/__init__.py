"""The one import pipeline (DESIGN.md, "Imports"): every spreadsheet a district loads goes through here.

- `files`: an upload read into a `Sheet` — xlsx or CSV (UTF-8, BOM, GBK), within bounds (size, zip directory, rows);
- `cells`: reading one cell (text, dates, choices, ID numbers, hours …) with the Chinese reason for a bad one;
- `base`: `Importer` (what an app supplies: `read`, `problems`, `write`), `Row`, and `import_run`, which checks
  every row and writes only a clean file, in one transaction, audited;
- `storage`: the upload kept between preview and confirm; `views` and `templates`: the pages and the template
  workbook, one for every kind; `registry`: the importers named in settings.IMPORTERS.

`manage.py import_xlsx KIND FILE [--as USERNAME] [--commit]` is the command-line door to the same pipeline.
"""
