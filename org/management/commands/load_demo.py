"""Build (or bring up to date) the demo city: ``manage.py load_demo``.

Runs the builders listed in ``settings.DEMO_BUILDERS`` in order; each is deterministic and
idempotent, so running the command twice leaves the same rows.
"""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from lib.commands import BaseCommand
from org.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "载入（或更新）演示城市数据：宿迁市城市管理局。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true",
                            help="之后打印演示账号。")

    def handle(self, *args, **options):
        context: dict = {}
        with transaction.atomic():
            for path in settings.DEMO_BUILDERS:
                for line in import_string(path)(context):
                    self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        if options["logins"]:
            self.stdout.write(self.format_logins())

    @staticmethod
    def format_logins() -> str:
        from org.models import Role

        labels = dict(Role.choices)
        lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
        for person in demo_logins():
            roles = "、".join(str(labels[role]) for role, _ in person.roles)
            lines.append(f"  {person.username:<18} {person.full_name}  {roles}")
        return "\n".join(lines)
