"""A sensible default skill list (DOMAIN §3); 组织部 may add or rename skills afterwards (they are data)."""

from django.db import migrations

DEFAULTS = ["家电维修", "测血压", "法律咨询", "理发", "心理疏导", "电脑维修", "水电维修", "陪伴老人", "政策宣讲", "辅导功课"]


def add_defaults(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for name in DEFAULTS:
        Skill.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_default_star_levels")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
