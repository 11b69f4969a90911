"""`manage.py yearly_report --year 2025 [--organisation ID] --output 年度报告.xlsx`: builds the yearly report
(年度报告) workbook in this process, for the whole tree or one organisation's subtree, and writes it to a file.

The web page queues the same build as a background export (reports.actions); this is for 组织部's
operators and for timing it on a real database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from branches.models import Organisation
from reports.actions import FIRST_YEAR
from reports.yearly import scope_label, yearly_report_xlsx


class Command(BaseCommand):
    help = "生成年度报告（Excel 工作簿）：指定年度，可选某个党组织（含其下级），写入指定文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=f"统计年度（{FIRST_YEAR} 年至今年）")
        parser.add_argument("--organisation", type=int, help="党组织编号（ID）；不填则统计全部党组织")
        parser.add_argument("--output", required=True, help="输出文件路径，例如 年度报告.xlsx")

    def handle(self, *args, year: int, organisation: int | None, output: str, **options) -> None:
        this_year = timezone.localdate().year
        if not FIRST_YEAR <= year <= this_year:
            raise CommandError(f"年度须在 {FIRST_YEAR} 年至 {this_year} 年之间，收到的是 {year}。")
        scope = None
        if organisation is not None:
            scope = Organisation.objects.filter(pk=organisation).first()
            if scope is None:
                raise CommandError(f"没有编号为 {organisation} 的党组织。")
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾。")
        if not path.parent.is_dir():
            raise CommandError(f"输出目录不存在：{path.parent}")

        def progress(percent: int, step: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{percent:3d}% {step}")

        started = time.perf_counter()
        content = yearly_report_xlsx(year=year, organisation=scope, progress=progress)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"已生成 {year} 年度报告（{scope_label(scope)}）：{path.resolve()}")
        self.stdout.write(f"大小 {len(content):,} 字节，用时 {seconds:.1f} 秒")
