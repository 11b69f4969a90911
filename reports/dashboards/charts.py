"""The charts' data: plain lists (numbers and the link of each bar, point or slice), passed to the page with
json_script and drawn by static/js/dashboard.js. All text is translated here."""

from decimal import Decimal

from django.utils.translation import gettext as _


def _number(value) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def chart_data(dashboard: dict) -> dict:
    months = dashboard["months"]

    def series(key: str) -> dict:
        return {"values": [_number(m[key].value) for m in months], "urls": [m[key].url for m in months]}

    def items(rows: list[dict]) -> list[dict]:
        return [{"name": str(row["label"]), "value": row["figure"].value, "url": row["figure"].url} for row in rows]

    bands = dashboard["points_bands"]
    return {
        "months": [m["label"] for m in months],
        "activities": series("activities"),
        "person_times": series("person_times"),
        "hours": series("hours"),
        "satisfaction": {
            "rate": [_number(m["satisfaction_rate"]) for m in months],
            "average": [_number(m["satisfaction_average"]) for m in months],
            "urls": [m["ratings"].url for m in months],
        },
        "demands": {key: series(key) for key in ("on_time", "in_progress", "overdue")},
        "points": {
            "labels": [band["label"] for band in bands],
            "values": [band["figure"].value for band in bands],
            "urls": [band["figure"].url for band in bands],
        },
        "reviews": items(dashboard["review_grades"]),
        "coverage": {"rate": _number(dashboard["coverage"]["rate"]), "modes": items(dashboard["coverage"]["modes"])},
        "text": {
            "activities": _("活动（次）"),
            "person_times": _("参与人次"),
            "hours": _("服务时长（小时）"),
            "rate": _("满意率（%）"),
            "average": _("平均分"),
            "on_time": _("按期办结"),
            "in_progress": _("办理中"),
            "overdue": _("逾期"),
            "members": _("党员人数"),
            "coverage": _("覆盖率"),
            "empty": _("暂无数据"),
        },
    }
