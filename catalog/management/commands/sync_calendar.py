
from catalog.calendar import sync_from_package
from lib.commands import BaseCommand


class Command(BaseCommand):
    help = "从 chinese-calendar 包补充法定节假日和调休上班日（已有日期不覆盖）。"

    def handle(self, *args, **options):
        added = sync_from_package()
        self.stdout.write(f"工作日历新增 {added} 天。")
