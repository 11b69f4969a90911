"""The import pipeline from the command line, for IT staff and scripted first loads:

    python manage.py import_xlsx KIND FILE [--as USERNAME] [--organisation CODE] [--commit]
    python manage.py import_xlsx KIND --template OUT.xlsx

KIND: organisations, hosts, people, team-members, activities. Without --commit the file is only previewed. Every
row with a problem is printed with its row number; the exit status is 1 when any row (or the file) has a problem,
and nothing is written then. --as names the account the import is done as (its scope applies, and the audit log
names it); without it the import runs as the system, with no scope limit."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.imports.base import import_run
from portal.imports.files import sheet_read
from portal.imports.registry import importer_class
from portal.imports.templates import template_xlsx
from portal.models import User


class Command(BaseCommand):
    help = "导入 Excel/CSV（组织架构、单位、人员名册、服务队队员、活动台账）；不加 --commit 只预览。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(settings.IMPORTERS))
        parser.add_argument("file", nargs="?", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--as", dest="username", help="以此账号的身份和管理范围导入（审计日志记录此账号）")
        parser.add_argument("--organisation", help="“党组织”一列留空的行导入到此组织（组织编码）")
        parser.add_argument("--commit", action="store_true", help="没有问题时写入；不加则只预览")
        parser.add_argument("--template", metavar="OUT.xlsx", help="写出此类数据的模板，不导入")

    def handle(self, *args, kind: str, file: str | None, username: str | None, organisation: str | None, **options):
        importer = importer_class(kind)
        if options["template"]:
            Path(options["template"]).write_bytes(template_xlsx(importer))
            self.stdout.write(f"已写出模板：{options['template']}")
            return
        if not file:
            raise CommandError("请指定要导入的文件，或用 --template 写出模板。")
        actor = None
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"账号“{username}”不存在或已停用。")
        default = None
        if organisation:
            default = apps.get_model("branches", "Organisation").objects.filter(code=organisation).first()
            if default is None:
                raise CommandError(f"组织编码“{organisation}”不存在。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在。")
        try:
            sheet = sheet_read(
                file_name=path.name,
                content=path.read_bytes(),
                max_bytes=settings.IMPORT_COMMAND_MAX_BYTES,
                max_rows=settings.IMPORT_COMMAND_MAX_ROWS,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        result = import_run(
            importer=importer(actor=actor, organisation=default),
            sheet=sheet,
            commit=options["commit"],
            file_name=path.name,
            max_rows=settings.IMPORT_COMMAND_MAX_ROWS,
        )
        for message in result.file_errors:
            self.stderr.write(message)
        for row in result.rows:
            if row.errors:
                self.stderr.write(f"第 {row.number} 行：{'；'.join(row.errors)}")
        counts = result.counts()
        summary = (
            f"{importer.title}：新增 {counts['new']} 行，更新 {counts['update']} 行，无变化 {counts['skip']} 行，"
            f"空行 {counts['blank']} 行，错误 {counts['error']} 行。"
        )
        self.stdout.write(summary)
        if result.has_problems:
            raise CommandError("文件有问题，未写入任何数据。")
        if result.written is not None:
            self.stdout.write(importer(actor=actor).success_message({**counts, **result.written}))
        else:
            self.stdout.write("仅预览，未写入；确认无误后加 --commit 导入。")
