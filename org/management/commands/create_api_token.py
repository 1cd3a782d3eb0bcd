from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from lib.commands import BaseCommand
from org.models import ApiToken


class Command(BaseCommand):
    help = "为对接系统签发接口令牌（令牌只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="令牌代表的账号（其角色决定接口权限）")
        parser.add_argument("name", help="用途，例如“12345 平台推送”")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用。")
        _token, key = ApiToken.issue(user, name)
        self.stdout.write(key)
