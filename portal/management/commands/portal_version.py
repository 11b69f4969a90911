from django.core.management.base import BaseCommand

import portal


class Command(BaseCommand):
    help = "显示本系统的版本号（manage.py version）"

    def handle(self, *args, **options) -> None:
        self.stdout.write(portal.__version__)
