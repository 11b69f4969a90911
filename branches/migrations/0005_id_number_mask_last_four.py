"""Stored masks keep only the last 4 characters of an ID number (they kept the first 6 as well, which with the birth
date gave the whole number away). Reversing keeps the new masks: the first 6 characters are gone for good."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Right


def mask_last_four(apps, schema_editor):
    Person = apps.get_model("branches", "Person")
    Person.objects.exclude(id_number_masked="").update(
        id_number_masked=Concat(Value("*" * 14), Right("id_number_masked", 4))
    )


class Migration(migrations.Migration):
    dependencies = [("branches", "0004_organisation_founded_on")]

    operations = [migrations.RunPython(mask_last_four, migrations.RunPython.noop)]
