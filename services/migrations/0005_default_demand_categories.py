"""Default demand categories with their deadline (5 working days unless said) and the skill each needs, so
unmet demand (nobody in scope has the skill) can be flagged. The list is data and can change."""

from django.db import migrations

DEFAULTS = [
    # code, name, working days, skill name (volunteers' default skills) or ""
    ("appliance", "家电维修", 5, "家电维修"),
    ("utilities", "水电维修", 3, "水电维修"),
    ("legal", "法律援助", 5, "法律咨询"),
    ("health", "医疗健康", 5, "测血压"),
    ("elderly", "助老助残", 5, "陪伴老人"),
    ("study", "学业辅导", 5, "辅导功课"),
    ("environment", "环境卫生", 5, ""),
    ("dispute", "矛盾纠纷", 3, ""),
    ("employment", "就业帮扶", 10, ""),
    ("other", "其他", 5, ""),
]


def add_defaults(apps, schema_editor):
    DemandCategory = apps.get_model("services", "DemandCategory")
    Skill = apps.get_model("volunteers", "Skill")
    for order, (code, name, days, skill_name) in enumerate(DEFAULTS, start=1):
        skill = Skill.objects.filter(name=skill_name).first() if skill_name else None
        DemandCategory.objects.get_or_create(
            code=code, defaults={"name": name, "deadline_working_days": days, "skill": skill, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0004_community_records"), ("volunteers", "0003_default_skills")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
