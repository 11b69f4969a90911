"""`manage.py open_accounts --organisation CODE --output 开通单.xlsx [--as USERNAME]`: opens an account for every
person of an organisation's subtree who is on the roll and has none, and writes the 开通单 (login names and
one-time initial passwords) to a new file. No cap, unlike 「开通账号」 on the people list: this is how a whole
district is opened at once."""

import os
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from branches import actions, resources
from branches.models import Organisation, Person
from portal.models import User


class Command(BaseCommand):
    help = "为某党组织（含下级）中在册且尚无账号的人员批量开通账号，并把开通单（登录名、初始密码）写入新的 Excel 文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="党组织编码（组织编码），含其全部下级组织")
        parser.add_argument("--output", required=True, help="开通单文件路径，例如 开通单.xlsx（不能是已有文件）")
        parser.add_argument(
            "--as", dest="as_username", help="以此用户名的身份开通（审计日志记为此人，并按其管理范围检查）；默认：系统"
        )

    def handle(self, *args, organisation: str, output: str, as_username: str | None, **options) -> None:
        root = Organisation.objects.filter(code=organisation).first()
        if root is None:
            raise CommandError(f"没有组织编码为 {organisation} 的党组织。")
        actor = None
        if as_username:
            actor = User.objects.filter(username=as_username, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有用户名为 {as_username} 的有效账号。")
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾。")
        subtree = Person.objects.filter(organisation__path__startswith=root.path)
        had_accounts = subtree.filter(user__isnull=False).count()

        started = time.perf_counter()
        # The file is created first — new, readable by its owner only — so that a rerun never overwrites the
        # passwords of an earlier one; and it is written before the accounts commit, so that a failed write opens
        # nothing (passwords nobody can read would be useless).
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise CommandError(f"输出文件已存在：{path}（为免覆盖上一份开通单，请换一个文件名）。") from error
        except OSError as error:
            raise CommandError(f"无法创建 {path}：{error.strerror}") from error
        try:
            with os.fdopen(descriptor, "wb") as file, transaction.atomic():
                result = actions.people_accounts_open(
                    actor=actor, people=subtree.filter(user__isnull=True, is_active_member=True)
                )
                file.write(resources.account_slips_xlsx(result.opened))
                file.flush()
                os.fsync(file.fileno())
        except ValidationError as error:
            path.unlink(missing_ok=True)
            raise CommandError("；".join(error.messages)) from error
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        seconds = time.perf_counter() - started

        self.stdout.write(f"{root.name}（含下级）：已开通 {len(result.opened)} 个账号，用时 {seconds:.1f} 秒。")
        for reason, people in result.skipped.items():
            self.stdout.write(f"跳过 {len(people)} 人：{reason}。")
        if had_accounts:
            self.stdout.write(f"另有 {had_accounts} 人已有账号，未重复开通。")
        self.stdout.write(f"开通单：{path.resolve()}（含初始密码，请妥善保管，发放后删除）")
