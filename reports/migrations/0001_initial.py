"""ReportExport, moved here from `portal` (issue 18) without touching a row.

1. State only: the model as portal 0002 made it, on its old table `portal_reportexport` (portal 0004, which this
   depends on, removed it from portal's state, so the two never exist at once).
2. AlterModelTable: the table is renamed to `reports_reportexport`, the name Django gives a model of this app.
   Renaming (rather than keeping `db_table = "portal_reportexport"` on the model for ever) leaves the model with
   nothing that remembers the move; the rename is a metadata change on SQLite and PostgreSQL (no copy, rows, ids
   and constraints kept; no other table refers to this one).
3. Labels that name the model by app: its content type (with it, its permissions and admin log entries) and the
   audit log's `object_type` move from `portal.ReportExport` to `reports.ReportExport`, so the audit viewer still
   shows old events as 「年度报告」 and its filter finds them. No row is added or removed. On a fresh database there
   is nothing to relabel (content types are made after migrating).

Works forwards and backwards, on a fresh database and on one migrated before the move
(tests/reports/test_model_move.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD, NEW = "portal.ReportExport", "reports.ReportExport"


def relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("portal", "AuditEvent")
    old_app, new_app = old.split(".")[0], new.split(".")[0]
    model = old.split(".")[1].lower()
    if not ContentType.objects.filter(app_label=new_app, model=model).exists():
        ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)
    AuditEvent.objects.filter(object_type=old).update(object_type=new)


def forwards(apps, schema_editor) -> None:
    relabel(apps, OLD, NEW)


def backwards(apps, schema_editor) -> None:
    relabel(apps, NEW, OLD)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0004_reportexport_to_reports'),
        ('branches', '0004_organisation_founded_on'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveIntegerField(verbose_name='年度')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '生成中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度')),
                        ('step', models.CharField(blank=True, max_length=100, verbose_name='当前步骤')),
                        ('file', models.FileField(blank=True, upload_to='reports/%Y/', verbose_name='文件')),
                        ('error', models.TextField(blank=True, verbose_name='错误')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='发起时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='report_exports', to='branches.organisation', verbose_name='范围')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='report_exports', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                    ],
                    options={
                        'verbose_name': '年度报告',
                        'verbose_name_plural': '年度报告',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'portal_reportexport',
                        'indexes': [models.Index(fields=['-created_at'], name='report_history_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='report_progress_max_100'), models.UniqueConstraint(condition=models.Q(('organisation__isnull', True), ('requested_by__isnull', True)), fields=('year',), name='report_scheduled_once_per_year')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='reportexport', table=None),
        migrations.RunPython(forwards, backwards),
    ]
