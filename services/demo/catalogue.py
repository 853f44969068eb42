"""The demo service catalogue (Ningguo's 56 service items with their SLAs) and the two lists published city-wide."""

from __future__ import annotations

from collections import defaultdict

from core.demo import DemoContext, bulk_create
from services.demo.helpers import DemoPlan
from services.models import HandlingLevel, ListKind, PublishedListEntry, ServiceCategory, ServiceItem

C, L = ServiceCategory, HandlingLevel

# (name, category, handling level, response hours, resolution hours, can proxy, requirements, materials)
CATALOGUE = [
    (
        "就业服务（求职登记、岗位推荐）",
        C.SOCIAL_SECURITY,
        L.COMMUNITY,
        4,
        21,
        True,
        "辖区内有就业意愿的劳动者",
        "身份证、学历证明",
    ),
    ("法律咨询", C.DISPUTES, L.COMMUNITY, 4, 14, False, "辖区居民", "相关合同、票据等材料"),
    ("家政服务对接", C.OTHER, L.COMMUNITY, 4, 14, True, "辖区居民", "无"),
    (
        "就业困难人员认定",
        C.SOCIAL_SECURITY,
        L.STREET,
        4,
        70,
        True,
        "符合就业困难人员条件",
        "身份证、户口簿、失业登记证明",
    ),
    ("失业登记", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 21, True, "法定劳动年龄内失业人员", "身份证、解除劳动合同证明"),
    ("灵活就业人员社保登记", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 21, True, "灵活就业人员", "身份证"),
    (
        "城乡居民养老保险参保登记",
        C.SOCIAL_SECURITY,
        L.COMMUNITY,
        4,
        21,
        True,
        "年满16周岁未参加职工养老保险",
        "身份证、户口簿",
    ),
    ("城乡居民医疗保险参保缴费", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 14, True, "辖区户籍居民", "身份证、户口簿"),
    ("养老保险待遇资格认证", C.SOCIAL_SECURITY, L.COMMUNITY, 4, 14, True, "领取养老金人员", "身份证"),
    (
        "最低生活保障申请",
        C.CIVIL_AFFAIRS,
        L.STREET,
        4,
        140,
        True,
        "家庭人均收入低于当地低保标准",
        "身份证、户口簿、收入证明",
    ),
    (
        "特困人员供养申请",
        C.CIVIL_AFFAIRS,
        L.STREET,
        4,
        140,
        True,
        "无劳动能力、无生活来源、无法定赡养人",
        "身份证、户口簿",
    ),
    ("临时救助申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "遭遇突发困难的家庭", "身份证、困难情况说明"),
    ("残疾人两项补贴申请", C.CIVIL_AFFAIRS, L.STREET, 4, 140, True, "持证困难残疾人、重度残疾人", "身份证、残疾证"),
    ("残疾人证办理", C.CIVIL_AFFAIRS, L.STREET, 4, 140, True, "辖区残疾人", "身份证、照片"),
    ("高龄津贴申请", C.ELDERLY_CARE, L.COMMUNITY, 4, 70, True, "80周岁以上老人", "身份证、户口簿、银行卡"),
    ("居家养老服务申请", C.ELDERLY_CARE, L.COMMUNITY, 4, 35, True, "60周岁以上有服务需求的老人", "身份证"),
    ("日间照料中心入托", C.ELDERLY_CARE, L.COMMUNITY, 4, 21, False, "生活基本自理的老人", "身份证、体检报告"),
    ("老年人助餐服务", C.ELDERLY_CARE, L.COMMUNITY, 2, 14, False, "60周岁以上老人", "身份证"),
    ("独居老人探访", C.ELDERLY_CARE, L.GRID, 2, 14, False, "独居、空巢老人", "无"),
    ("老年人优待证办理", C.ELDERLY_CARE, L.COMMUNITY, 4, 21, True, "60周岁以上老人", "身份证、照片"),
    ("婚姻登记预约指引", C.CIVIL_AFFAIRS, L.COMMUNITY, 4, 7, False, "辖区居民", "身份证、户口簿"),
    ("殡葬惠民补贴申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "辖区户籍逝者家属", "死亡证明、火化证明"),
    ("退役军人优待证申领", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "退役军人", "退役证、身份证"),
    (
        "居住证办理",
        C.HOUSEHOLD_REGISTRATION,
        L.COMMUNITY,
        4,
        35,
        True,
        "在本市居住半年以上的流动人口",
        "身份证、居住证明",
    ),
    ("户籍证明开具", C.HOUSEHOLD_REGISTRATION, L.COMMUNITY, 4, 14, True, "辖区户籍居民", "身份证、户口簿"),
    ("流动人口登记", C.HOUSEHOLD_REGISTRATION, L.GRID, 4, 14, False, "来本市居住的流动人口", "身份证"),
    ("出租房屋登记", C.HOUSEHOLD_REGISTRATION, L.GRID, 4, 14, False, "出租房屋的房主", "房产证、租赁合同"),
    ("生育登记服务", C.HOUSEHOLD_REGISTRATION, L.COMMUNITY, 4, 14, True, "辖区育龄夫妻", "身份证、结婚证"),
    ("独生子女父母奖励申请", C.CIVIL_AFFAIRS, L.STREET, 4, 70, True, "符合条件的独生子女父母", "身份证、独生子女证"),
    ("矛盾纠纷调解", C.DISPUTES, L.COMMUNITY, 2, 35, False, "辖区居民", "无"),
    ("邻里纠纷调处", C.DISPUTES, L.GRID, 2, 21, False, "辖区居民", "无"),
    ("劳动争议咨询", C.DISPUTES, L.STREET, 4, 35, False, "辖区劳动者", "劳动合同、工资凭证"),
    ("法律援助申请", C.DISPUTES, L.STREET, 4, 70, True, "经济困难的当事人", "身份证、经济困难证明"),
    ("信访事项受理", C.DISPUTES, L.STREET, 4, 70, False, "辖区居民", "诉求材料"),
    ("生活垃圾清运", C.ENVIRONMENT, L.GRID, 2, 14, False, "无", "无"),
    ("垃圾分类指导", C.ENVIRONMENT, L.GRID, 4, 14, False, "无", "无"),
    ("楼道堆物清理", C.ENVIRONMENT, L.GRID, 2, 14, False, "无", "无"),
    ("病媒生物防制", C.ENVIRONMENT, L.COMMUNITY, 4, 21, False, "无", "无"),
    ("绿化养护与修剪", C.ENVIRONMENT, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("占道经营与乱搭乱建", C.ENVIRONMENT, L.STREET, 4, 35, False, "无", "现场照片"),
    ("噪声扰民", C.ENVIRONMENT, L.STREET, 2, 21, False, "无", "无"),
    ("小区路灯维修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "无"),
    ("公共设施报修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "现场照片"),
    ("二次供水与管网报修", C.PROPERTY, L.COMMUNITY, 2, 21, False, "无", "无"),
    ("物业服务投诉", C.PROPERTY, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("停车秩序管理", C.PROPERTY, L.COMMUNITY, 4, 35, False, "无", "无"),
    ("老旧小区改造意见征集", C.PROPERTY, L.STREET, 4, 70, False, "无", "无"),
    ("电动车充电设施申请", C.PROPERTY, L.COMMUNITY, 4, 70, False, "无", "无"),
    ("消防安全隐患", C.SAFETY, L.COMMUNITY, 1, 14, False, "无", "现场照片"),
    ("治安隐患报告", C.SAFETY, L.COMMUNITY, 1, 14, False, "无", "无"),
    ("社区矫正人员帮教", C.SAFETY, L.STREET, 4, 35, False, "无", "无"),
    ("防范电信诈骗宣传", C.SAFETY, L.GRID, 4, 35, False, "无", "无"),
    ("四点半课堂报名", C.OTHER, L.COMMUNITY, 4, 14, False, "辖区双职工家庭小学生", "户口簿"),
    ("党员组织关系转接", C.OTHER, L.COMMUNITY, 4, 35, True, "中共党员", "组织关系介绍信"),
    ("社区活动场地预约", C.OTHER, L.COMMUNITY, 4, 7, False, "辖区居民、驻区单位", "无"),
    ("各类证明代办", C.OTHER, L.COMMUNITY, 4, 21, True, "辖区居民", "身份证"),
]
CODE_PREFIX = {
    C.CIVIL_AFFAIRS: "MZ", C.SOCIAL_SECURITY: "SB", C.HOUSEHOLD_REGISTRATION: "HJ", C.ELDERLY_CARE: "YL",
    C.DISPUTES: "JF", C.ENVIRONMENT: "HW", C.PROPERTY: "WY", C.SAFETY: "PA", C.OTHER: "QT",
}  # fmt: skip
MARKER_CODE = "NG-SB-001"

MICRO_POWERS = [
    ("居民最低生活保障初审", "入户调查不实、优亲厚友"), ("特困人员供养初审", "审核把关不严"),
    ("临时救助初审", "救助对象认定随意"), ("残疾人补贴初审", "材料审核走过场"),
    ("高龄津贴资格审核", "未及时核减死亡人员"), ("计划生育奖励扶助初审", "违规认定对象"),
    ("居住证明出具", "无依据出具证明"), ("各类证明出具", "吃拿卡要、乱出证明"),
    ("社区集体资产管理", "违规处置集体资产"), ("社区工作经费使用", "虚列支出、挪用经费"),
    ("惠民项目实施", "项目选定不公开"), ("社区公益岗位推荐", "推荐人选不公开"),
    ("困难群众慰问对象确定", "优亲厚友"), ("社区网格员考核", "考核不公"),
    ("社区组织评先评优推荐", "暗箱操作"), ("驻区单位共建资金使用", "资金使用不透明"),
    ("矛盾纠纷调解", "偏袒一方"), ("出租房屋与流动人口登记", "信息泄露"),
    ("社区场地设施使用", "违规出租出借"), ("党员发展推荐", "程序不规范"),
]  # fmt: skip
NEGATIVE_CONDUCT = [
    "群众来访不起身、不问好", "接听电话态度生硬、推诿扯皮", "工作时间脱岗离岗、迟到早退", "上班时间玩手机、打游戏",
    "办事拖拉、效率低下", "对群众诉求敷衍塞责", "首问不负责、让群众跑冤枉路", "说“不知道”“不归我管”",
    "一次性告知不到位", "吃拿卡要、收受礼品", "优亲厚友、处事不公", "泄露居民个人信息",
    "工作时间饮酒", "着装不整、举止不雅", "在办公场所吸烟", "与群众争吵、言语粗俗",
    "对特殊群体缺乏耐心", "不落实坐班值班制度", "不按时办结群众事项", "弄虚作假、虚报数据",
    "擅自对外承诺", "利用职务之便谋取私利", "公物私用", "不遵守保密纪律",
]  # fmt: skip


def build_catalogue(ctx: DemoContext, plan: DemoPlan) -> None:
    numbers = defaultdict(int)
    for name, category, level, response, resolution, proxy, requirements, materials in CATALOGUE:
        numbers[category] += 1
        plan.items.append(
            ServiceItem(
                code=f"NG-{CODE_PREFIX[category]}-{numbers[category]:03d}", name=name, category=category,
                handling_level=level, response_hours=response, resolution_hours=resolution, can_proxy=proxy,
                requirements=requirements, materials=materials,
            )
        )  # fmt: skip
    bulk_create(ServiceItem, plan.items)
    ctx.say(f"services: {len(plan.items)} service items in {len(numbers)} categories")


def build_published_lists(ctx: DemoContext) -> None:
    city = ctx.shared["city"]
    entries = [
        PublishedListEntry(
            organization=city, kind=ListKind.MICRO_POWER, title=title, body=f"风险点：{risk}。", sort_order=i
        )  # fmt: skip
        for i, (title, risk) in enumerate(MICRO_POWERS, 1)
    ] + [
        PublishedListEntry(organization=city, kind=ListKind.NEGATIVE_CONDUCT, title=title, sort_order=i)
        for i, title in enumerate(NEGATIVE_CONDUCT, 1)
    ]
    bulk_create(PublishedListEntry, entries)
    ctx.say(f"services: micro-power list ({len(MICRO_POWERS)}) and conduct negative list ({len(NEGATIVE_CONDUCT)})")
