"""Planted hotspots for the hotspot tests: two topics at two places, and noise."""

from __future__ import annotations

import random

from .demand_helpers import registered

# (latitude, longitude) of the planted places, ~3 km apart
MUCK_POINT = (33.9630, 118.2750)
FUMES_POINT = (33.9400, 118.3000)
FAR_POINT = (33.9950, 118.2300)  # ~6 km from MUCK_POINT

MUCK = [  # 渣土车撒漏
    ("渣土车撒漏泥土", "发展大道上渣土车夜间运输时撒漏泥土，路面全是泥，骑车很危险。"),
    ("渣土车沿路撒漏", "每天晚上渣土车经过撒漏渣土，早上路面一片泥泞，扬尘很大。"),
    ("渣土车未覆盖撒漏", "渣土车没有覆盖篷布，一路撒漏，车轮带泥，路面脏。"),
    ("工地渣土车撒漏严重", "附近工地的渣土车进出撒漏泥土，道路被弄脏，没人清扫。"),
    ("投诉渣土车撒漏", "凌晨渣土车撒漏，路上都是泥块，车辆打滑。"),
    ("渣土车撒漏扬尘", "渣土车撒漏后扬尘严重，行人睁不开眼，请查处渣土车。"),
    ("渣土车撒漏泥浆", "渣土车撒漏泥浆，整条路都是泥浆，请安排清扫并处罚渣土车。"),
    ("夜间渣土车撒漏", "夜间渣土车频繁经过，撒漏的渣土堆在路边，早高峰扬尘。"),
]
FUMES = [  # 餐馆油烟
    ("餐馆油烟扰民", "楼下餐馆油烟直排，家里窗户都不敢开，油烟味很重。"),
    ("饭店油烟直排", "小区底商饭店油烟没有净化，直接排到居民楼，油烟呛人。"),
    ("餐馆油烟污染", "餐馆厨房油烟管道对着住户，每天中午晚上油烟很大。"),
    ("油烟扰民投诉", "烧烤餐馆油烟扰民，油烟净化器没开，楼上全是油烟。"),
    ("餐馆排放油烟", "新开的餐馆排放油烟，油烟熏黑了墙面，气味难闻。"),
    ("餐饮油烟问题", "餐饮店油烟直排到小区，油烟味道太重，老人孩子受不了。"),
]
NOISE = [
    ("路灯不亮", "人民路路灯晚上不亮，行人走路看不清。"),
    ("井盖破损", "西湖路有一个井盖破损，车辆经过很危险。"),
    ("共享单车乱停", "地铁口共享单车乱停放，堵住盲道。"),
    ("小广告乱贴", "小区单元门上小广告乱贴，清理后又贴上。"),
    ("绿化带缺株", "幸福路绿化带树木死了没有补种。"),
    ("公厕无人保洁", "公园公厕很脏，没有保洁人员打扫。"),
    ("下水道堵塞", "菜市场门口下水道堵塞，污水外溢。"),
    ("占道经营", "学校门口流动摊贩占道经营，影响学生通行。"),
    ("违章搭建", "楼顶有人违章搭建彩钢棚。"),
    ("垃圾桶满溢", "小区垃圾桶满溢，垃圾清运不及时。"),
    ("户外广告牌松动", "商场户外广告牌松动，大风天怕掉下来。"),
    ("夜间施工噪音", "工地夜间施工噪音很大，影响休息。"),
]


def jitter(rng: random.Random, point, metres: float):
    """A point within ``metres`` (roughly) of ``point``."""
    lat, lon = point
    return (lat + rng.uniform(-metres, metres) / 111_000,
            lon + rng.uniform(-metres, metres) / 92_000)


def plant(personas, category, texts, point, *, spread_m=150, day=10, seed=1, prefix="X"):
    """One demand per text near ``point``, one a day from 2026-11-``day``; returns them."""
    rng = random.Random(seed)
    out = []
    for index, (title, content) in enumerate(texts):
        lat, lon = jitter(rng, point, spread_m)
        out.append(registered(
            personas, category, f"2026-11-{day + index % 15:02d} 09:{index:02d}",
            title=title, content=content, latitude=f"{lat:.6f}", longitude=f"{lon:.6f}",
            address="宿迁市宿城区发展大道88号", external_id=f"{prefix}{seed}-{index:03d}",
            channel="12345", requester_phone=f"139{seed:03d}{index:05d}"))
    return out


def plant_noise(personas, category, *, seed=9, day=5):
    """The unrelated demands, each far from the others (a grid 1.5 km apart)."""
    out = []
    for index, (title, content) in enumerate(NOISE):
        lat = 33.90 + (index // 4) * 0.0135
        lon = 118.20 + (index % 4) * 0.0165
        out.append(registered(
            personas, category, f"2026-11-{day + index:02d} 10:00", title=title,
            content=content, latitude=f"{lat:.6f}", longitude=f"{lon:.6f}",
            address=f"宿迁市宿城区测试路{index}号", requester_phone=f"137{seed:03d}{index:05d}"))
    return out
