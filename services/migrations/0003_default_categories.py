"""The default activity categories of DOMAIN §4; the list is data and can grow."""

from django.db import migrations

DEFAULTS = [
    ("convenience", "便民服务"),
    ("health", "义诊"),
    ("legal", "法律咨询"),
    ("repair", "维修"),
    ("education", "助学"),
    ("hardship", "帮困"),
    ("environment", "环境"),
    ("culture", "文化"),
    ("emergency", "应急"),
    ("training", "培训"),
]


def add_defaults(apps, schema_editor):
    ActivityCategory = apps.get_model("services", "ActivityCategory")
    for order, (code, name) in enumerate(DEFAULTS, start=1):
        ActivityCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("services", "0002_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
