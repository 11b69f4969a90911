"""ReportExport moves to the `reports` app (issue 18: portal is the base and imports no domain app).

State only: portal forgets the model, the table stays where it is. `reports` 0001 (which depends on this one)
takes the model over and renames the table; see its docstring."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_user_initial_password'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReportExport')],
            database_operations=[],
        ),
    ]
