"""`manage.py calendar_fill [--year 2026 ...]`: copies the public holidays and make-up workdays (调休上班) the
`chinesecalendar` package knows into the holiday calendar (节假日安排), on dates the calendar does not have yet.

The weekly `calendar-fill` job does the same for this year and next; this is for IT staff after installing or
upgrading the package, and for past years (e.g. before importing last year's registers)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from branches.actions import calendar_fill

FIRST_YEAR, LAST_YEAR = 2000, 2100


class Command(BaseCommand):
    help = "从节假日库补充法定节假日和调休上班日（已有的日期不改动）；不指定年度时补充今明两年。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="年度，可重复指定，例如 --year 2025 --year 2026"
        )

    def handle(self, *args, years: list[int] | None, **options) -> None:
        for year in years or []:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise CommandError(f"年度须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间，收到的是 {year}。")
        summary = calendar_fill(actor=None, years=years)
        for year, count in summary["added"].items():
            self.stdout.write(f"{year} 年：新增 {count} 天" if count else f"{year} 年：已是最新，无需补充")
        for year in summary["unknown_years"]:
            self.stdout.write(
                f"{year} 年：节假日库尚无该年的安排（国务院通常在上一年 11—12 月公布）。"
                "请升级 chinesecalendar 后重新运行，或在管理后台“节假日安排”中手工录入。"
            )
