"""Demo enterprises: the four the seed plan names for pairing, and a fifth.

The seed names 科思化工, 江苏艾玛凯宠物用品有限公司, 宿迁市御珍家私有限公司 and
江苏托维亮化科技有限公司 "等五家企业"; the fifth is not named, so the demo invents one and
says so. Credit codes are left blank for the real companies (we do not make up their
registrations); the invented one gets a code with a correct check character.
"""

from django.db import transaction

from lib import creditcode

from .models import Enterprise

ENTERPRISES = [
    ("科思化工", "科思化工", "", "化工", "宿迁市宿豫区", ""),
    ("江苏艾玛凯宠物用品有限公司", "艾玛凯", "", "宠物用品制造", "宿迁市", ""),
    ("宿迁市御珍家私有限公司", "御珍家私", "", "家具制造", "宿迁市", ""),
    ("江苏托维亮化科技有限公司", "托维亮化", "", "照明亮化工程", "宿迁市", ""),
    ("宿迁市洁城环境服务有限公司", "洁城环境", creditcode.complete("91321300MA1XCG5K2"),
     "环境卫生服务", "宿迁市宿城区发展大道66号",
     "演示数据：种子方案未列出第五家企业的名称，此企业为虚构。"),
]


@transaction.atomic
def build(context: dict) -> list[str]:
    for name, short, code, industry, address, note in ENTERPRISES:
        Enterprise.objects.update_or_create(
            name=name,
            defaults={"short_name": short, "credit_code": code, "industry": industry,
                      "address": address, "note": note, "is_active": True},
        )
    return [f"企业 {len(ENTERPRISES)} 家"]
