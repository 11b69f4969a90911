"""The default 星级志愿者 thresholds of DOMAIN §3; 组织部 may change them afterwards (they are data)."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {1: Decimal(100), 2: Decimal(300), 3: Decimal(600), 4: Decimal(1000), 5: Decimal(1500)}


def add_defaults(apps, schema_editor):
    StarLevel = apps.get_model("volunteers", "StarLevel")
    for stars, hours in DEFAULTS.items():
        StarLevel.objects.get_or_create(stars=stars, defaults={"min_hours": hours})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
