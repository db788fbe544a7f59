"""A seeded generator of a realistic omnichannel retailer (Chinese market) with known truth.

:func:`generate_demo` writes the four canonical tables (see :mod:`workbench.schema`) as CSV,
plus a ``truth/`` folder holding the parameters and latent variables that produced them, so
models can be checked against what was planted.

The purchase process
--------------------
Orders follow the BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy
way", *Marketing Science* 24(2)), with time measured in **weeks**:

* each buyer is acquired (first purchase, time 0) at a date spread over the window, with
  recent years slightly more likely;
* while alive, repeat purchases arrive as a Poisson process with rate
  ``lambda ~ Gamma(shape=r, rate=alpha)`` per week;
* right after each *repeat* purchase the buyer drops out with probability
  ``p ~ Beta(a, b)`` (never right after the first purchase), so the number of repeat
  purchases before dropping out is geometric on {1, 2, ...}.

Order values follow the Gamma-Gamma model (Fader & Hardie 2013, "The Gamma-Gamma model of
monetary value"): ``z ~ Gamma(shape=p, rate=nu)`` with ``nu ~ Gamma(shape=q, rate=gamma)``,
in RMB. An order has 1-3 lines (same ``order_id`` and timestamp) whose amounts sum to the
order value; the truth parameters describe orders, not lines. The time of day of an order is
reshaped within its day by a channel-specific profile (stores open 10:00-22:00), which moves
purchases by less than a day and leaves the process otherwise untouched.

Personas (价格敏感型, 品质追求型, 家庭采购型, 潮流尝鲜型, 商务客户) are drawn *given* the latent
frequency and spend, so the planted BG/NBD and Gamma-Gamma distributions hold exactly; they
drive category affinity, discount use, channel preference, lines per order and demographics.

Messiness the loader must handle: about 1% returns (negative lines whose ``order_id`` is
``"R"`` + the returned order's id, dated after that order and never after the buyer's
dropout) and about 0.2% exact duplicate lines. About 5% of customers registered but never
bought.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.csvtext import csv_field, write_rows
from workbench.demo_campaigns import PLANTED as PLANTED_CAMPAIGNS
from workbench.safety import atomic_write

__all__ = [
    "BGNBD_PARAMS",
    "CATEGORIES",
    "GAMMA_GAMMA_PARAMS",
    "PERSONAS",
    "DemoTruth",
    "generate_demo",
    "month_earlier",
]

#: Planted BG/NBD parameters; ``alpha`` is in weeks (lambda is a rate per week).
BGNBD_PARAMS: dict[str, float] = {"r": 0.9, "alpha": 4.0, "a": 0.8, "b": 6.0}
#: Planted Gamma-Gamma parameters; mean order value is p * gamma / (q - 1) = ¥260.
GAMMA_GAMMA_PARAMS: dict[str, float] = {"p": 6.0, "q": 4.0, "gamma": 130.0}

PERSONAS: tuple[str, ...] = ("价格敏感型", "品质追求型", "家庭采购型", "潮流尝鲜型", "商务客户")
PERSONAS_EN: tuple[str, ...] = ("bargain_hunter", "quality_seeker", "family_shopper",
                                "trend_follower", "business")
CATEGORIES: tuple[str, ...] = ("服装", "美妆", "食品生鲜", "母婴", "家居", "数码")
_CATEGORY_CODES = ("FZ", "MZ", "SX", "MY", "JJ", "SM")
_CATEGORY_PRICE_LEVEL = np.array([1.2, 1.0, 0.5, 0.9, 1.1, 2.5])  # relative line value
_CATEGORY_MEDIAN_PRICE = np.array([199.0, 159.0, 39.0, 129.0, 99.0, 499.0])  # RMB per unit
_SKUS_PER_CATEGORY = 150
CHANNELS: tuple[str, ...] = ("门店", "小程序", "APP", "电商平台")
TIERS: tuple[str, ...] = ("普通", "白银", "黄金", "铂金")
COMPLAINT_CATEGORIES: tuple[str, ...] = ("物流/配送", "质量", "价格", "客服", "售后/退换", "使用体验")
COMPLAINT_CATEGORIES_EN: tuple[str, ...] = ("logistics", "quality", "price", "service", "returns",
                                            "usability")

_PROSPECT_SHARE = 0.05
_RETURN_SHARE = 0.01
_DUPLICATE_SHARE = 0.002
_FEEDBACK_SHARE = 0.20
_ACQUISITION_TILT = 0.6  # acquisition density on the window grows linearly by this factor

# Persona base shares and the tilt towards them given latent (log spend, log frequency).
_PERSONA_BASE = np.array([0.30, 0.20, 0.25, 0.15, 0.10])
_PERSONA_SPEND_COEF = np.array([-0.8, 0.8, 0.0, -0.2, 1.0])
_PERSONA_FREQ_COEF = np.array([0.0, -0.2, 0.6, 0.3, -0.3])

#: Probability that a line of a persona falls in each category (rows: PERSONAS).
_CATEGORY_AFFINITY = np.array([
    [0.15, 0.08, 0.50, 0.07, 0.15, 0.05],
    [0.22, 0.45, 0.08, 0.05, 0.10, 0.10],
    [0.08, 0.04, 0.30, 0.45, 0.10, 0.03],
    [0.45, 0.25, 0.05, 0.02, 0.05, 0.18],
    [0.12, 0.05, 0.05, 0.02, 0.18, 0.58],
])
_CHANNEL_PREF = np.array([  # 门店, 小程序, APP, 电商平台
    [0.10, 0.20, 0.10, 0.60],
    [0.55, 0.15, 0.20, 0.10],
    [0.25, 0.55, 0.10, 0.10],
    [0.05, 0.20, 0.60, 0.15],
    [0.35, 0.10, 0.15, 0.40],
])
_CHANNEL_CONCENTRATION = 15.0  # per-customer channel mix ~ Dirichlet(15 * persona mix)
_LINES_PER_ORDER = np.array([  # P(1, 2, 3 lines)
    [0.40, 0.35, 0.25],
    [0.50, 0.35, 0.15],
    [0.20, 0.40, 0.40],
    [0.40, 0.38, 0.22],
    [0.45, 0.30, 0.25],
])
_DISCOUNT_USE = np.array([0.65, 0.10, 0.30, 0.25, 0.08])
_FEMALE_SHARE = np.array([0.60, 0.55, 0.75, 0.70, 0.35])
_AGE_MEAN = np.array([38.0, 36.0, 35.0, 25.0, 40.0])
_AGE_SD = np.array([11.0, 8.0, 6.0, 5.0, 8.0])
_SATISFACTION_SHIFT = np.array([0.0, -0.2, 0.1, 0.0, 0.1])

_ACQ_CHANNELS = ("门店", "微信小程序", "抖音直播", "电商平台", "朋友推荐", "线下活动")
_ACQ_PREF = np.array([
    [0.15, 0.20, 0.25, 0.30, 0.05, 0.05],
    [0.35, 0.15, 0.10, 0.15, 0.20, 0.05],
    [0.30, 0.30, 0.10, 0.10, 0.10, 0.10],
    [0.10, 0.20, 0.40, 0.20, 0.05, 0.05],
    [0.30, 0.10, 0.05, 0.20, 0.25, 0.10],
])
_PAYMENTS = ("微信支付", "支付宝", "银行卡", "云闪付", "现金")
_PAYMENT_PREF = np.array([
    [0.50, 0.38, 0.04, 0.06, 0.02],
    [0.40, 0.40, 0.15, 0.03, 0.02],
    [0.55, 0.30, 0.08, 0.03, 0.04],
    [0.45, 0.50, 0.02, 0.02, 0.01],
    [0.30, 0.30, 0.35, 0.04, 0.01],
])

# (city, tier, region, weight)
_CITIES = (
    ("上海", "一线", "华东", 6.0), ("北京", "一线", "华北", 6.0), ("广州", "一线", "华南", 5.0),
    ("深圳", "一线", "华南", 5.0), ("成都", "新一线", "西南", 3.5), ("杭州", "新一线", "华东", 3.5),
    ("重庆", "新一线", "西南", 3.0), ("武汉", "新一线", "华中", 3.0), ("西安", "新一线", "西北", 2.5),
    ("苏州", "新一线", "华东", 2.5), ("南京", "新一线", "华东", 2.5), ("天津", "新一线", "华北", 2.5),
    ("长沙", "新一线", "华中", 2.2), ("郑州", "新一线", "华中", 2.2), ("东莞", "新一线", "华南", 2.0),
    ("青岛", "新一线", "华东", 2.0), ("沈阳", "新一线", "东北", 1.8), ("宁波", "新一线", "华东", 1.8),
    ("昆明", "新一线", "西南", 1.6), ("合肥", "二线", "华东", 1.3), ("佛山", "二线", "华南", 1.3),
    ("福州", "二线", "华东", 1.2), ("无锡", "二线", "华东", 1.2), ("厦门", "二线", "华东", 1.2),
    ("济南", "二线", "华东", 1.1), ("大连", "二线", "东北", 1.0), ("哈尔滨", "二线", "东北", 1.0),
    ("温州", "二线", "华东", 0.9), ("石家庄", "二线", "华北", 0.9), ("南宁", "二线", "华南", 0.8),
    ("长春", "二线", "东北", 0.8), ("泉州", "二线", "华东", 0.8), ("贵阳", "二线", "西南", 0.8),
    ("南昌", "二线", "华中", 0.8), ("洛阳", "三线", "华中", 0.4), ("珠海", "三线", "华南", 0.4),
    ("扬州", "三线", "华东", 0.4), ("绵阳", "三线", "西南", 0.3), ("芜湖", "三线", "华东", 0.3),
    ("桂林", "三线", "华南", 0.3), ("宜昌", "三线", "华中", 0.3), ("赣州", "三线", "华中", 0.3),
)
_STORES_PER_TIER = {"一线": 4, "新一线": 3, "二线": 2, "三线": 1}
_MALLS = ("万达广场", "万象城", "大悦城", "银泰城", "来福士", "龙湖天街", "吾悦广场", "印象城",
          "太古里", "中心城", "凯德广场", "步行街")
_ONLINE_SHOPS = ("天猫旗舰店", "京东自营店", "抖音官方旗舰店")

_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
                  "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
                  "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_MALE_CHARS = tuple("伟强磊军洋勇杰涛明超辉鹏浩宇晨俊斌博文华建国志刚健林峰毅凯帆翔睿哲昊然轩")
_FEMALE_CHARS = tuple("芳娜敏静丽艳娟霞婷雪琳欣怡佳悦涵雨萱晶颖莉倩蕾瑶琪妍璐婕岚馨月玲慧")
_PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
                   "181", "182", "183", "185", "186", "187", "188", "189", "198", "199")
_MAIL_DOMAINS = ("163.com", "126.com", "sina.com", "outlook.com", "gmail.com", "foxmail.com")

# Hour-of-day profiles: (first hour, weights per hour). Stores open 10:00-22:00.
_HOUR_PROFILES = (
    (0, np.array([1.5, 0.8, 0.4, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4.5, 5.0, 5.5, 4.5, 4.0,
                  4.0, 4.2, 4.5, 5.0, 6.0, 7.0, 7.5, 6.0, 3.5])),
    (10, np.array([3.0, 5.0, 6.0, 6.0, 5.0, 5.0, 5.5, 6.0, 7.0, 7.5, 6.5, 4.0])),
)

_SURVEY_CHANNELS = ("短信", "微信小程序", "APP", "邮件", "门店扫码")
_EVENT_TYPES = ("visit", "email_open", "support_ticket", "coupon_claim")
_VISIT_CHANNELS = ("门店", "小程序", "APP", "电商平台")
_TICKET_CHANNELS = ("客服热线", "在线客服", "门店")

# ---------------------------------------------------------------------------------------------
# Comment templates. Fill-ins: {item}, {days}, {n}, {pct}, {amount}, {minutes}. A template
# "T|text" only fits items carrying tag T: D durable, W wearable, E device (has a manual or
# can break down), C consumable, F food, B beauty. Items: (zh, en, tags) per category.
_ITEMS = (
    (("外套", "jacket", "DW"), ("连衣裙", "dress", "DW"), ("T恤", "T-shirt", "DW"),
     ("牛仔裤", "pair of jeans", "DW"), ("羽绒服", "down jacket", "DW"),
     ("运动鞋", "pair of sneakers", "DW")),
    (("面霜", "jar of face cream", "CB"), ("口红", "lipstick", "CB"), ("精华液", "bottle of serum", "CB"),
     ("防晒霜", "tube of sunscreen", "CB"), ("面膜", "face mask", "CB"), ("粉底液", "bottle of foundation", "CB")),
    (("车厘子", "box of cherries", "CF"), ("牛排", "steak", "CF"), ("牛奶", "carton of milk", "CF"),
     ("坚果礼盒", "nut gift box", "CF"), ("大米", "bag of rice", "CF"),
     ("三文鱼", "salmon fillet", "CF")),
    (("纸尿裤", "pack of diapers", "C"), ("奶粉", "tin of infant formula", "C"),
     ("婴儿推车", "stroller", "DE"), ("儿童餐椅", "high chair", "DE"),
     ("宝宝湿巾", "pack of baby wipes", "C"), ("奶瓶", "baby bottle", "D")),
    (("四件套", "bedding set", "D"), ("收纳箱", "storage box", "D"), ("保温杯", "thermos", "D"),
     ("枕头", "pillow", "D"), ("炒锅", "wok", "D"), ("台灯", "desk lamp", "DE")),
    (("蓝牙耳机", "pair of earbuds", "DE"), ("充电宝", "power bank", "DE"),
     ("智能手表", "smartwatch", "DE"), ("平板电脑", "tablet", "DE"),
     ("扫地机器人", "robot vacuum", "DE"), ("数据线", "charging cable", "DE")),
)
_COMPLAINTS_ZH = (
    (  # 物流/配送
        "快递太慢了，等了{days}天才收到{item}。",
        "物流信息{days}天都没更新，问了也说不清楚。",
        "包装破损，{item}送到的时候盒子都压扁了。",
        "配送员没打电话就直接放驿站了，很不方便。",
        "说好次日达，结果拖了{days}天，太耽误事了。",
        "发错货了，我买的是{item}，收到的却是别的东西。",
        "下单后{days}天才发货，物流体验很差。",
        "快递显示已签收，但我根本没收到{item}。",
        "送货时间一改再改，白白等了一整天。",
        "F|冷链没做好，{item}到手的时候已经不新鲜了。",
    ),
    (  # 质量
        "D|{item}质量太差，用了{days}天就坏了。",
        "D|做工粗糙，{item}有明显的瑕疵。",
        "D|收到的{item}和图片差距很大，质感很廉价。",
        "{item}有一股怪味，不敢用。",
        "质量不如以前了，这次买的{item}明显是次品。",
        "E|{item}第一次用就出问题，质检形同虚设。",
        "D|材质跟描述不符，{item}摸起来很劣质。",
        "一次买了{n}件，其中有一件有质量问题。",
        "C|{item}快到保质期了才发给我，不太放心。",
        "F|{item}不新鲜，吃起来味道都不对了。",
        "B|用了{item}之后皮肤过敏，红了一大片。",
        "W|{item}洗了一次就缩水褪色了。",
    ),
    (  # 价格
        "价格太贵了，同样的{item}别家便宜{pct}%。",
        "刚买完{item}就降价{amount}元，也不给保价。",
        "优惠券限制太多，满减根本用不上。",
        "会员价和普通价差不多，办会员没什么意义。",
        "性价比太低，{item}不值这个价。",
        "活动价比平时还贵，感觉被套路了。",
        "运费太高，买个{item}运费就要{amount}元。",
        "价格一天一个样，{days}天内涨了好几次。",
        "同款{item}在其他平台便宜很多，不会再来买了。",
    ),
    (  # 客服
        "客服态度很差，问了{n}遍都没解决问题。",
        "联系客服排队{minutes}分钟，最后还是机器人回复。",
        "客服答非所问，一直在推卸责任。",
        "门店店员爱理不理，服务意识太差。",
        "投诉了{days}天都没人回电话。",
        "客服承诺的补偿到现在也没兑现。",
        "咨询{item}的规格，客服一问三不知。",
        "热线一直打不通，在线客服也不回复。",
        "客服说话很不耐烦，体验非常糟糕。",
    ),
    (  # 售后/退换
        "退货流程太麻烦，申请了{days}天还没退款。",
        "W|{item}想换个尺码，结果要我自己出运费。",
        "退款一直显示处理中，已经{days}天了。",
        "E|售后推来推去，{item}坏了也不给保修。",
        "七天无理由退货形同虚设，各种理由拒绝。",
        "换货寄回去{days}天了，还没收到新的{item}。",
        "退货上门取件一直预约不上，只能自己跑快递点。",
        "售后要求拍各种视频证明，太折腾了。",
        "门店不给退，说只能线上申请，来回扯皮。",
        "F|{item}坏了申请退款，客服说生鲜不退不换。",
    ),
    (  # 使用体验
        "APP太卡了，下单的时候闪退了{n}次。",
        "小程序结算页面老是报错，付款付不了。",
        "E|{item}的说明书看不懂，用起来很不方便。",
        "积分规则太复杂，根本不知道怎么用。",
        "D|{item}的尺寸和描述不一样，用着不舒服。",
        "页面找商品太难了，搜{item}都搜不到。",
        "会员卡绑定不上，试了{n}次都失败。",
        "E|{item}操作太复杂，家里老人根本不会用。",
        "门店自助收银机经常出故障，结账很麻烦。",
        "B|{item}太油了，用着很闷，一点都不好用。",
        "F|{item}的包装很难打开，每次都弄一手。",
    ),
)
_COMPLAINTS_EN = (
    (
        "Delivery took {days} days, way too slow for a {item}.",
        "Tracking info wasn't updated for {days} days.",
        "The box arrived crushed and the {item} was damaged.",
        "Courier dumped the parcel at a pickup point without calling me.",
        "Promised next-day delivery but it took {days} days.",
        "Wrong item shipped: I ordered a {item} and got something else.",
        "Marked as delivered but I never received my {item}.",
        "Order wasn't shipped until {days} days after I paid.",
        "Delivery slot was changed three times, wasted my whole day.",
        "F|Cold chain failed, the {item} was no longer fresh when it arrived.",
    ),
    (
        "D|The {item} broke after only {days} days.",
        "D|Poor workmanship, the {item} has visible defects.",
        "D|The {item} looks nothing like the photos and feels cheap.",
        "The {item} had a strange smell, I didn't dare use it.",
        "Quality has gone downhill, this {item} is clearly a reject.",
        "D|Material doesn't match the description at all.",
        "Bought {n} of them and one had quality problems.",
        "E|The {item} stopped working the first time I used it. Does anyone do QC?",
        "C|The {item} was close to its expiry date when it arrived.",
        "F|The {item} wasn't fresh and tasted off.",
        "B|My skin broke out in a rash after using the {item}.",
    ),
    (
        "Too expensive, the same {item} is {pct}% cheaper elsewhere.",
        "Price dropped by {amount} yuan right after I bought it, no price protection.",
        "Coupons have too many restrictions, I could never use them.",
        "Member price is barely different from the regular price.",
        "Not worth the money for a {item} like this.",
        "The sale price was higher than the normal price. Feels like a trick.",
        "A shipping fee of {amount} yuan for one {item} is ridiculous.",
        "Prices change every day, they went up several times in {days} days.",
    ),
    (
        "Customer service was rude and didn't solve anything after {n} tries.",
        "Waited {minutes} minutes in the queue just to get a chatbot.",
        "The agent kept dodging my question and blaming others.",
        "Store staff ignored me, terrible attitude.",
        "Filed a complaint {days} days ago, still no call back.",
        "The compensation they promised never arrived.",
        "Asked about the {item} specs and the agent had no idea.",
        "The hotline is always busy and online chat never replies.",
    ),
    (
        "Return process is a nightmare, still no refund after {days} days.",
        "W|Wanted to exchange the {item} for another size and had to pay shipping myself.",
        "Refund has been processing for {days} days.",
        "E|After-sales keeps passing the buck and won't repair my {item}.",
        "The 7-day no-questions-asked return policy is a joke.",
        "Sent the {item} back {days} days ago and still no replacement.",
        "Couldn't book a pickup for my return, had to go to the courier myself.",
        "They wanted photos and videos for everything, so much hassle.",
        "F|The {item} went bad and they said fresh food can't be refunded.",
    ),
    (
        "The app keeps crashing at checkout, it crashed {n} times.",
        "The mini program payment page keeps throwing errors.",
        "E|The manual for the {item} is impossible to follow.",
        "The points rules are way too complicated.",
        "Can't find anything, searching for {item} returns nothing.",
        "Couldn't link my membership card, failed {n} times.",
        "E|The {item} is far too complicated to use.",
        "The self-checkout machines in the store are always broken.",
        "D|The {item} is a different size from the description, uncomfortable to use.",
    ),
)
_PRAISE_ZH = (
    "{item}质量很好，物超所值，会推荐给朋友。",
    "物流很快，{days}天就到了，包装也很用心。",
    "客服很耐心，问题很快就解决了，点赞！",
    "一直在这家买{item}，从来没让我失望过。",
    "价格实惠，活动力度大，已经回购{n}次了。",
    "门店环境好，店员很热情，购物体验很棒。",
    "{item}比预期的还好，家里人都很喜欢。",
    "退换货很方便，售后处理很及时，值得信赖。",
    "小程序下单很方便，积分还能抵现，很满意。",
    "D|品质有保障，{item}用了{days}天依然很好。",
    "服务周到，下次还会再来。",
    "很满意，已经推荐给身边的{n}个朋友了。",
    "F|{item}很新鲜，味道很好，还会回购。",
)
_PRAISE_EN = (
    "Great quality {item}, worth every yuan. Would recommend.",
    "Super fast delivery, arrived in {days} days and well packed.",
    "Customer service was patient and fixed my issue quickly.",
    "Been buying here for years, never disappointed.",
    "Good prices and great deals, I've reordered {n} times.",
    "Lovely store and friendly staff, a great experience.",
    "The {item} is even better than expected, my family loves it.",
    "Returns were easy and the refund was quick.",
    "Ordering in the mini program is really convenient.",
    "Excellent service, will definitely come back.",
    "F|Really fresh {item}, tastes great.",
)
_MILD_PREFIX_ZH = ("总体还行，不过", "还可以吧，就是", "")
_MILD_PREFIX_EN = ("Overall OK, but ", "Not bad, though ", "")
_COMPLAINT_BASE = np.array([0.22, 0.22, 0.15, 0.14, 0.12, 0.15])


@dataclass(frozen=True)
class DemoTruth:
    """What :func:`generate_demo` planted and wrote.

    ``bgnbd`` holds ``r``, ``alpha``, ``a``, ``b`` with time in weeks; ``gamma_gamma`` holds
    ``p``, ``q``, ``gamma`` (RMB per order). ``n_transactions`` counts lines of
    ``transactions.csv`` (returns and duplicates included); ``n_orders`` counts purchase
    occasions (distinct non-return orders).
    """

    bgnbd: dict
    gamma_gamma: dict
    n_customers: int
    n_transactions: int
    out_dir: Path
    seed: int = 0
    end_date: str = ""
    n_orders: int = 0
    n_prospects: int = 0
    n_feedback: int = 0
    n_events: int = 0


# ---------------------------------------------------------------------------------------------
# helpers


def _fitting_templates(templates: tuple[str, ...], item_tags: str) -> list[str]:
    """Templates (tag prefix stripped) that fit an item with ``item_tags``."""
    out = []
    for template in templates:
        tag, sep, text = template.partition("|")
        if not sep:
            out.append(template)
        elif tag in item_tags:
            out.append(text)
    return out


def _pick_rows(rng: np.random.Generator, probs: np.ndarray,
               rows: np.ndarray | None = None) -> np.ndarray:
    """One categorical draw per row of ``probs[rows]`` (rows sum to 1; all rows by default).

    The draws are those of one cumulative table per row, compared a column at a time, so a
    table of a few rows indexed by millions of lines is never expanded.
    """
    n, k = (len(probs) if rows is None else len(rows)), probs.shape[1]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(probs, axis=1)

    def column(j: int) -> np.ndarray:
        return cum[:, j] if rows is None else cum[rows, j]

    u = rng.random(n) * column(k - 1)
    count = np.zeros(n, dtype=np.int64)
    for j in range(k):
        count += u >= column(j)
    return np.minimum(count, k - 1)


class _Blocks:
    """A column to write, made a block of rows at a time: ``make(*(a[rows] for a in arrays))``
    (values, or their CSV text as a pyarrow array).

    Only the integer arrays a large text column comes from are held, never the column itself.
    """

    def __init__(self, make: Callable[..., np.ndarray | pa.Array], *arrays: np.ndarray) -> None:
        self.make, self.arrays = make, arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, rows: slice) -> np.ndarray | pa.Array:
        return self.make(*(a[rows] for a in self.arrays))


def _order_ids(o_id: np.ndarray, t_ord: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Order ids of transaction lines; a return's is ``R`` + the returned order's."""
    ids = o_id[t_ord]
    return np.where(kind == 1, np.char.add("R", ids), ids)


def _pick(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """``size`` categorical draws from one weight vector."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cum, rng.random(size) * cum[-1], side="right"),
                      len(cum) - 1).astype(np.int64)


def _timestamps(start: np.datetime64, seconds: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD HH:MM:SS`` strings for integer seconds after ``start``."""
    if len(seconds) == 0:
        return np.array([], dtype="U19")
    stamps = np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="s")
    raw = stamps.astype("S19").view(np.uint8).reshape(-1, 19).copy()
    raw[:, 10] = ord(" ")
    return raw.view("S19").ravel().astype("U19")


def _timestamp_text(start: np.datetime64, seconds: np.ndarray) -> pa.Array:
    """:func:`_timestamps` as CSV text (a pyarrow array), formatted by Arrow."""
    return pc.cast(pa.array(start + seconds.astype("timedelta64[s]")), pa.string())


class _Take:
    """The CSV text of ``values[codes]`` (a pyarrow array): ``values`` formatted once, then
    taken block by block."""

    def __init__(self, values: np.ndarray) -> None:
        self.text = csv_field(np.asarray(values))

    def __call__(self, codes: np.ndarray) -> pa.Array:
        return self.text.take(pa.array(codes))


def _order_id_text(o_text: pa.Array, t_ord: np.ndarray, kind: np.ndarray) -> pa.Array:
    """:func:`_order_ids` as CSV text, from the orders' ids as text ``o_text``."""
    ids = o_text.take(pa.array(t_ord))
    return pc.if_else(pa.array(kind == 1), pc.binary_join_element_wise("R", ids, ""), ids)


def _reordered(order: np.ndarray, columns: dict[str, object]) -> dict[str, np.ndarray]:
    """Columns (arrays or lists) with their rows taken in ``order``."""
    return {name: np.asarray(values)[order] for name, values in columns.items()}


def _zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as text padded with zeros to ``width`` (``f"{n:0{width}d}"``)."""
    return np.char.zfill(np.asarray(numbers, dtype=np.int64).astype(str), width)


def _given_char(u: np.ndarray, female: np.ndarray) -> np.ndarray:
    """One character of a given name per person, from uniform ``u``, by gender."""
    out = np.empty(len(u), dtype="U1")
    for chars, who in ((_FEMALE_CHARS, female), (_MALE_CHARS, ~female)):
        out[who] = np.array(chars)[(u[who] * len(chars)).astype(np.int64)]
    return out


def _dates(start: np.datetime64, seconds: np.ndarray) -> np.ndarray:
    if len(seconds) == 0:
        return np.array([], dtype="U10")
    return np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="D")


def _time_of_day(seconds: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Reshape the time of day of ``seconds`` (monotone within a day) by hour profile."""
    day = seconds // 86400
    frac = (seconds % 86400) / 86400.0
    out = np.empty_like(seconds)
    for k, (first_hour, weights) in enumerate(_HOUR_PROFILES):
        mask = profile == k
        cdf = np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
        edges = first_hour + np.arange(len(weights) + 1, dtype=float)
        hours = np.interp(frac[mask], cdf, edges)
        sec = np.minimum((hours * 3600.0).astype(np.int64), int(edges[-1]) * 3600 - 1)
        out[mask] = day[mask] * 86400 + sec
    return out


def _segment_rank(group: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal (sorted) ``group`` values."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def _write_csv(table: pd.DataFrame | dict[str, object], path: Path,
               float_format: str | None = None) -> None:
    """Write the columns of ``table`` as UTF-8 CSV atomically (temp file, then replace).

    The bytes are those of ``pd.DataFrame(table).to_csv(index=False, lineterminator="\n")``,
    formatted by pyarrow in blocks of rows instead of value by value.
    """
    with atomic_write(path, "wb") as handle:
        write_rows(handle, dict(table.items()), float_format)


def _write_text(text: str, path: Path) -> None:
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


# ---------------------------------------------------------------------------------------------
# generator


def _taken(column: object, rows: np.ndarray) -> object:
    """A column (array or :class:`_Blocks`) with its rows taken in ``rows``."""
    if isinstance(column, _Blocks):
        return _Blocks(column.make, *(a[rows] for a in column.arrays))
    return np.asarray(column)[rows]


def _planted_order_ids(o_text: pa.Array, added_ids: pa.Array, t_ord: np.ndarray,
                       kind: np.ndarray, added: np.ndarray) -> pa.Array:
    """Order ids of planted lines as CSV text: a generated line's (:func:`_order_id_text`),
    or where ``added >= 0`` the id of the campaigns' added order ``added``."""
    ids = _order_id_text(o_text, t_ord, kind)
    if not len(added_ids):
        return ids
    return pc.if_else(pa.array(added >= 0), added_ids.take(pa.array(np.maximum(added, 0))), ids)


def _plant_campaigns(out: Path, transactions: dict[str, object], seed: int, *,
                     start: np.datetime64, buyer: np.ndarray, id_num: np.ndarray,
                     cid: np.ndarray, signup: np.ndarray, o_id: np.ndarray, t_ord: np.ndarray,
                     kind: np.ndarray, t_sec: np.ndarray) -> int:
    """Plant the three campaigns of :mod:`workbench.demo_campaigns` in the generated
    ``transactions`` (columns as :func:`_write_csv` takes them; the dict is emptied to free
    them), write ``transactions.csv`` with them and ``campaigns.csv`` with its truth; returns
    the number of transaction lines.

    The files are those of writing the unplanted lines, reading them back
    (``pd.read_csv(dtype=str, keep_default_na=False)``, amounts, quantities and discounts as
    floats) and planting with :func:`~workbench.demo_campaigns.plant_campaigns`, without
    making the text: the lines are given to the planting as numbers (``buyer``: the buyer of
    each line, ``id_num``/``cid``: customers' numbers and ids, ``signup``: their signup
    seconds, ``t_ord``/``kind``/``t_sec``: each line's order, return flag and seconds after
    ``start``; ``o_id``: the orders' ids).
    """
    from workbench.demo_campaigns import PlantedCampaigns, _Lines, _plant, write_planted

    n_ord = len(o_id)
    ids_by_number = np.empty_like(cid)
    ids_by_number[id_num - 1] = cid  # zero-padded to one width: numbers sort as the ids
    signup_by_number = np.empty(len(cid), dtype="datetime64[D]")
    signup_by_number[id_num - 1] = (start + signup.astype("timedelta64[s]")).astype(
        "datetime64[D]")  # signup_date as read back: the day
    n_added: list[int] = [0]

    def new_orders(ids: list[str]) -> np.ndarray:  # "K..." ids: never a generated one
        codes = 2 * n_ord + n_added[0] + np.arange(len(ids))
        n_added[0] += len(ids)
        return codes

    lines = _Lines(
        customer=id_num[buyer] - 1, customer_ids=ids_by_number,
        order=t_ord + kind * n_ord,  # a return's order id is "R" + its order's
        amount=np.asarray(transactions["amount"], dtype=float),
        date=(start + t_sec.astype("timedelta64[s]")).astype("datetime64[us]"),
        signup=signup_by_number,
        returns_of=lambda codes: np.where(codes < n_ord, codes + n_ord, -1),
        new_orders=new_orders,
        order_text=lambda codes: _order_ids(o_id, codes % n_ord, codes // n_ord))
    planting = _plant(lines, np.random.default_rng(seed), window_days=30, control_share=0.4,
                      audience_share=0.8)
    del lines
    rows = planting.rows
    line = planting.origin[rows]
    added = np.where(rows >= planting.n_given, rows - planting.n_given, -1)
    columns = {name: _taken(transactions.pop(name), line) for name in list(transactions)}
    columns["order_id"] = _Blocks(partial(_planted_order_ids, _Take(o_id).text,
                                          _Take(np.array(planting.added_ids, dtype=str)).text),
                                  t_ord[line], kind[line], added)
    seconds = (planting.date[rows] - start) // np.timedelta64(1, "s")
    columns["order_date"] = _Blocks(partial(_timestamp_text, start), seconds.astype(np.int64))
    columns["amount"] = planting.amount[rows]
    columns["quantity"] = np.where(added >= 0, 1.0, np.asarray(columns["quantity"], float))
    columns["discount"] = np.where(added >= 0, 0.0, np.asarray(columns["discount"], float))
    del planting.origin, planting.date, planting.amount, planting.order, line, seconds
    _write_csv(columns, out / "transactions.csv", float_format="%.2f")
    write_planted(PlantedCampaigns(pd.DataFrame(), planting.campaigns, planting.truth,
                                   planting.effects), out)
    return len(rows)


def generate_demo(out_dir: str | Path, *, customers: int = 20_000, seed: int = 0,
                  end_date: str = "2026-10-31", years: float = 3.0,
                  campaigns: bool = True) -> DemoTruth:
    """Generate a seeded demo retailer with known truth and write it to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to create (or overwrite files in). Receives ``transactions.csv``,
        ``customers.csv``, ``feedback.csv``, ``events.csv`` and ``truth/`` (``params.json``,
        ``customers.csv``, ``comments.csv``, ``category_affinity.csv``).
    customers
        Number of registered customers, about 5% of whom never buy. The default gives about
        300,000 transaction lines.
    seed
        Seed of the NumPy generator; the same seed gives byte-identical files.
    end_date
        Last day of the observation window (inclusive), ``YYYY-MM-DD``.
    years
        Length of the window in years (365.25 days each).
    campaigns
        Plant three randomised campaigns with known effects (:mod:`workbench.demo_campaigns`):
        ``campaigns.csv``, ``truth/campaigns.csv`` and ``truth/campaign_effects.csv``, and
        the campaigns' added or removed purchases in ``transactions.csv``.

    Returns
    -------
    DemoTruth
        Planted BG/NBD parameters (time unit: weeks), Gamma-Gamma parameters and counts.
    """
    n_total = int(customers)
    if n_total < 1:
        raise ValueError(f"customers must be at least 1, got {customers!r}")
    if not years > 0:
        raise ValueError(f"years must be positive, got {years!r}")
    try:
        last_day = np.datetime64(str(end_date), "D")
    except ValueError as exc:
        raise ValueError(f"end_date must look like YYYY-MM-DD, got {end_date!r}") from exc
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    r, alpha, a, b = (BGNBD_PARAMS[k] for k in ("r", "alpha", "a", "b"))
    gg_p, gg_q, gg_gamma = (GAMMA_GAMMA_PARAMS[k] for k in ("p", "q", "gamma"))

    window_days = max(round(float(years) * 365.25), 1)
    cutoff = last_day + np.timedelta64(1, "D")  # exclusive end of the window
    start = (cutoff - np.timedelta64(window_days, "D")).astype("datetime64[s]")
    window_sec = window_days * 86400
    n_pros = int(np.floor(_PROSPECT_SHARE * n_total + 0.5))
    nb = n_total - n_pros

    # --- latent buyer process ---------------------------------------------------------------
    k = _ACQUISITION_TILT
    u = rng.random(nb)
    pos = (np.sqrt(1.0 + 2.0 * k * (1.0 + k / 2.0) * u) - 1.0) / k  # density ∝ 1 + k*pos
    t0_sec = np.minimum((pos * window_sec).astype(np.int64), window_sec - 1)
    lam = rng.gamma(r, 1.0 / alpha, nb)  # per week
    p_drop = np.clip(rng.beta(a, b, nb), 1e-12, 1.0)
    nu = rng.gamma(gg_q, 1.0 / gg_gamma, nb)
    horizon_weeks = (window_sec - t0_sec) / (7 * 86400.0)
    n_repeat_life = rng.geometric(p_drop)  # repeat purchases before dropping out (>= 1)
    n_arrivals = rng.poisson(lam * horizon_weeks)
    n_repeat = np.minimum(n_arrivals, n_repeat_life)
    dead = n_repeat_life <= n_arrivals

    owner = np.repeat(np.arange(nb), n_arrivals)
    arrival = rng.random(len(owner)) * horizon_weeks[owner]
    order = np.lexsort((arrival, owner))
    owner, arrival = owner[order], arrival[order]
    keep = _segment_rank(owner) < n_repeat[owner]
    owner, arrival = owner[keep], arrival[keep]
    rep_sec = t0_sec[owner] + np.minimum((arrival * 7 * 86400.0).astype(np.int64),
                                         window_sec - 1 - t0_sec[owner])

    ord_cust = np.concatenate([np.arange(nb), owner])
    ord_sec = np.concatenate([t0_sec, rep_sec])
    srt = np.lexsort((ord_sec, ord_cust))
    ord_cust, ord_sec = ord_cust[srt], ord_sec[srt]
    n_orders_c = np.bincount(ord_cust, minlength=nb)
    ord_start = np.r_[0, np.cumsum(n_orders_c)[:-1]]

    # --- personas, given latent spend and frequency -----------------------------------------
    def _z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std() if len(x) > 1 and x.std() > 0 else np.zeros_like(x)

    z_spend = _z(-np.log(nu))
    z_freq = _z(np.log(lam))
    scores = (np.log(_PERSONA_BASE)[None, :] + z_spend[:, None] * _PERSONA_SPEND_COEF
              + z_freq[:, None] * _PERSONA_FREQ_COEF + rng.gumbel(size=(nb, len(PERSONAS))))
    persona_b = scores.argmax(axis=1)
    persona_p = _pick(rng, _PERSONA_BASE, n_pros)

    # --- customers' static attributes (buyers first, then prospects) ------------------------
    persona = np.concatenate([persona_b, persona_p])
    city_w = np.array([c[3] for c in _CITIES])
    city = _pick(rng, city_w, n_total)
    stores_per_city = np.array([_STORES_PER_TIER[c[1]] for c in _CITIES])
    store_names: list[str] = []
    for ci, (name, _tier, _reg, _w) in enumerate(_CITIES):
        malls = rng.choice(len(_MALLS), size=stores_per_city[ci], replace=False)
        store_names.extend(f"{name}{_MALLS[m]}店" for m in malls)
    store_names_arr = np.array(store_names)
    city_store_start = np.r_[0, np.cumsum(stores_per_city)[:-1]]
    home_store = city_store_start[city] + (rng.random(n_total) * stores_per_city[city]).astype(
        np.int64)
    chan_alpha = _CHANNEL_CONCENTRATION * _CHANNEL_PREF[persona]
    chan_mix = rng.gamma(chan_alpha)
    chan_mix /= chan_mix.sum(axis=1, keepdims=True)

    # --- orders ----------------------------------------------------------------------------
    n_ord = len(ord_cust)
    o_persona = persona_b[ord_cust]
    o_channel = _pick_rows(rng, chan_mix, ord_cust)
    ord_sec = _time_of_day(ord_sec, (o_channel == 0).astype(np.int64))
    o_total_c = np.maximum(np.rint(rng.gamma(gg_p, 1.0, n_ord) / nu[ord_cust] * 100.0), 100.0
                           ).astype(np.int64)
    o_lines = _pick_rows(rng, _LINES_PER_ORDER, o_persona) + 1
    o_shop = _pick(rng, np.array([0.5, 0.35, 0.15]), n_ord)
    o_away = rng.random(n_ord) < 0.15
    o_store_idx = np.where(o_away, (rng.random(n_ord) * len(store_names)).astype(np.int64),
                           home_store[ord_cust])
    # order ids: yymmdd + global chronological sequence
    chrono = np.lexsort((np.arange(n_ord), ord_sec))
    seq = np.empty(n_ord, dtype=np.int64)
    seq[chrono] = np.arange(1, n_ord + 1)
    o_day = (start + ord_sec.astype("timedelta64[s]")).astype("datetime64[D]")
    o_month = o_day.astype("datetime64[M]")
    yymmdd = ((o_month.astype("datetime64[Y]").astype(np.int64) + 1970) % 100 * 10000
              + (o_month.astype(np.int64) % 12 + 1) * 100
              + (o_day - o_month.astype("datetime64[D]")).astype(np.int64) + 1)
    o_id = np.char.add(_zero_padded(yymmdd, 6), _zero_padded(seq, 7))

    first_sec = np.full(nb, -1, dtype=np.int64)
    last_sec = np.full(nb, -1, dtype=np.int64)
    if n_ord:
        first_sec = np.minimum.reduceat(ord_sec, ord_start)
        last_sec = np.maximum.reduceat(ord_sec, ord_start)
    dropout_sec = np.where(dead, last_sec, -1)

    # --- lines -----------------------------------------------------------------------------
    l_ord = np.repeat(np.arange(n_ord), o_lines)
    n_line = len(l_ord)
    l_pos = _segment_rank(l_ord)
    l_is_last = np.r_[l_ord[1:] != l_ord[:-1], True] if n_line else np.zeros(0, bool)
    l_cat = _pick_rows(rng, _CATEGORY_AFFINITY, o_persona[l_ord])
    weight = _CATEGORY_PRICE_LEVEL[l_cat] * rng.uniform(0.5, 1.5, n_line)
    share = weight / np.bincount(l_ord, weights=weight, minlength=n_ord)[l_ord]
    l_amt_c = np.floor(o_total_c[l_ord] * share).astype(np.int64)
    l_amt_c[l_is_last] = 0
    l_amt_c[l_is_last] = o_total_c - np.bincount(l_ord, weights=l_amt_c, minlength=n_ord
                                                 ).astype(np.int64)
    sku_rank = _pick(rng, 1.0 / (np.arange(_SKUS_PER_CATEGORY) + 5.0), n_line)
    sku_price = _CATEGORY_MEDIAN_PRICE[:, None] * np.exp(
        rng.normal(0.0, 0.5, (len(CATEGORIES), _SKUS_PER_CATEGORY)))
    l_qty = np.clip(np.rint(l_amt_c / 100.0 / sku_price[l_cat, sku_rank]), 1, 12).astype(
        np.int64)
    uses = rng.random(n_line) < _DISCOUNT_USE[o_persona[l_ord]]
    rate = rng.uniform(0.05, 0.30, n_line)
    l_disc_c = np.where(uses, np.rint(l_amt_c * rate / (1.0 - rate)), 0).astype(np.int64)
    sku_names = np.array([f"SKU-{code}-{i + 1:03d}" for code in _CATEGORY_CODES
                          for i in range(_SKUS_PER_CATEGORY)])
    l_sku = l_cat * _SKUS_PER_CATEGORY + sku_rank

    channel_arr = np.array(CHANNELS)
    store_of_order = np.where(
        o_channel == 0, store_names_arr[o_store_idx],
        np.where(o_channel == 1, "微信小程序商城",
                 np.where(o_channel == 2, "官方APP", np.array(_ONLINE_SHOPS)[o_shop])))

    # --- returns (~1%) and exact duplicates (~0.2%) ----------------------------------------
    l_cust = ord_cust[l_ord]
    l_sec = ord_sec[l_ord]
    limit = np.where(dead, dropout_sec, window_sec - 1)[l_cust]
    room = limit - l_sec
    candidates = np.flatnonzero(room >= 2 * 86400)
    n_ret = min(round(_RETURN_SHARE * n_line), len(candidates))
    ret = np.sort(rng.choice(candidates, size=n_ret, replace=False)) if n_ret else \
        np.zeros(0, dtype=np.int64)
    max_delay = np.minimum(14 * 86400, room[ret])
    delay_u = rng.random(n_ord)[l_ord[ret]]  # one return time per returned order
    ret_sec = l_sec[ret] + 86400 + (delay_u * (max_delay - 86400)).astype(np.int64)
    ret_sec = _time_of_day(ret_sec, (o_channel[l_ord[ret]] == 0).astype(np.int64))
    ret_sec = np.minimum(ret_sec, limit[ret])
    n_dup = round(_DUPLICATE_SHARE * n_line)
    dup = np.sort(rng.choice(n_line, size=n_dup, replace=False)) if n_dup else \
        np.zeros(0, dtype=np.int64)

    src = np.concatenate([np.arange(n_line), ret, dup])
    kind = np.concatenate([np.zeros(n_line, np.int64), np.ones(n_ret, np.int64),
                           np.zeros(n_dup, np.int64)])
    t_sec = np.concatenate([l_sec, ret_sec, l_sec[dup]])
    sign = np.where(kind == 1, -1, 1)
    t_order = np.lexsort((l_pos[src], seq[l_ord[src]], kind, t_sec))
    src, kind, t_sec, sign = src[t_order], kind[t_order], t_sec[t_order], sign[t_order]
    t_ord = l_ord[src]

    # --- customer ids by signup order -------------------------------------------------------
    gap_days = np.where(rng.random(nb) < 0.4, 0.0, rng.exponential(20.0, nb))
    signup_b = t0_sec - (gap_days * 86400).astype(np.int64)
    u = rng.random(n_pros)
    pos_p = (np.sqrt(1.0 + 2.0 * k * (1.0 + k / 2.0) * u) - 1.0) / k
    signup_p = np.minimum((pos_p * window_sec).astype(np.int64), window_sec - 1)
    signup = _time_of_day(np.concatenate([signup_b, signup_p]), np.zeros(n_total, np.int64))
    signup[:nb] = np.minimum(signup[:nb], first_sec)  # registered at or before 1st purchase
    id_order = np.lexsort((np.arange(n_total), signup))
    id_num = np.empty(n_total, dtype=np.int64)
    id_num[id_order] = np.arange(1, n_total + 1)
    width = max(7, len(str(n_total)))
    cid = _zero_padded(id_num, width)
    cid_b = cid[:nb]

    buyer = l_cust[src]  # of each transaction line
    transactions = {  # text columns are formatted block by block as they are written
        "customer_id": _Blocks(_Take(cid_b), buyer),
        "order_id": _Blocks(partial(_order_id_text, _Take(o_id).text), t_ord, kind),
        "order_date": _Blocks(partial(_timestamp_text, start), t_sec),
        "amount": sign * l_amt_c[src] / 100.0,
        "quantity": sign * l_qty[src],
        "channel": _Blocks(_Take(channel_arr), o_channel[t_ord]),
        "product_id": _Blocks(_Take(sku_names), l_sku[src]),
        "category": _Blocks(_Take(np.array(CATEGORIES)), l_cat[src]),
        "store": _Blocks(_Take(store_of_order), t_ord),
        "discount": np.where(kind == 1, 0, l_disc_c[src]) / 100.0,
    }

    spend_c = np.bincount(buyer, weights=sign * l_amt_c[src], minlength=nb)
    has_return = np.bincount(l_cust[ret], minlength=nb) > 0
    first_line = np.r_[0, np.cumsum(o_lines)[:-1]] if n_ord else np.zeros(0, np.int64)
    first_cat = l_cat[first_line]  # category of each order's first line
    # the lines' arrays are in the transaction columns now (14.7M lines at 1M customers)
    del (l_ord, l_pos, l_is_last, l_cat, weight, share, l_amt_c, sku_rank, l_qty, uses, rate,
         l_disc_c, l_sku, l_cust, l_sec, limit, room, candidates, ret, src, sign, t_order)

    # --- customers table --------------------------------------------------------------------
    value = np.log1p(np.maximum(spend_c, 0.0) / 100.0) + rng.normal(0.0, 0.35, nb)
    tier_b = np.zeros(nb, dtype=np.int64)
    if nb:
        cuts = np.quantile(value, [0.50, 0.80, 0.95])
        tier_b = np.searchsorted(cuts, value, side="right")
    tier = np.concatenate([tier_b, np.zeros(n_pros, np.int64)])
    female = rng.random(n_total) < _FEMALE_SHARE[persona]
    age = np.clip(np.rint(rng.normal(_AGE_MEAN[persona], _AGE_SD[persona])), 18, 75).astype(
        np.int64)
    surname = _pick(rng, 1.0 / (np.arange(len(_SURNAMES)) + 8.0), n_total)
    two_chars = rng.random(n_total) < 0.7
    g1 = rng.random(n_total)
    g2 = rng.random(n_total)
    first_char, second_char = (_given_char(g, female) for g in (g1, g2))
    names = np.char.add(np.char.add(np.array(_SURNAMES)[surname], first_char),
                        np.where(two_chars, second_char, ""))
    phone_pre = rng.integers(0, len(_PHONE_PREFIXES), n_total)
    phone_num = rng.integers(0, 100_000_000, n_total)
    phones = np.char.add(np.array(_PHONE_PREFIXES)[phone_pre], _zero_padded(phone_num, 8))
    mail_kind = rng.random(n_total)
    qq = rng.integers(100_000, 3_000_000_000, n_total)
    letters = rng.integers(0, 26, (n_total, 8))
    n_letters = rng.integers(4, 9, n_total)
    mail_dom = rng.integers(0, len(_MAIL_DOMAINS), n_total)
    mail_num = rng.integers(0, 10_000, n_total)
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    word = np.full(n_total, "", dtype="U8")
    for j in range(letters.shape[1]):
        word = np.char.add(word, np.where(j < n_letters, alphabet[letters[:, j]], ""))
    mailbox = np.char.add(np.char.add(word, mail_num.astype(str)), "@")
    emails = np.where(mail_kind < 0.15, "",
                      np.where(mail_kind < 0.55, np.char.add(qq.astype(str), "@qq.com"),
                               np.char.add(mailbox, np.array(_MAIL_DOMAINS)[mail_dom])))
    acq = _pick_rows(rng, _ACQ_PREF, persona)
    payment = _pick_rows(rng, _PAYMENT_PREF, persona)
    wechat = rng.random(n_total) < (0.35 + 0.5 * chan_mix[:, 1])
    customers_df = _reordered(id_order, {
        "customer_id": cid,
        "signup_date": _dates(start, signup),
        "gender": np.where(female, "女", "男"),
        "age": age,
        "city": np.array([c[0] for c in _CITIES])[city],
        "region": np.array([c[2] for c in _CITIES])[city],
        "tier": np.array(TIERS)[tier],
        "acquisition_channel": np.array(_ACQ_CHANNELS)[acq],
        "name": names,
        "phone": phones,
        "email": emails,
        "wechat_follower": np.where(wechat, "是", "否"),
        "preferred_payment": np.array(_PAYMENTS)[payment],
    })

    # --- feedback ---------------------------------------------------------------------------
    satisfaction = rng.normal(0.0, 1.0, nb) + _SATISFACTION_SHIFT[persona_b] - 0.7 * dead
    satisfaction -= 0.5 * has_return
    surveyed = np.flatnonzero(rng.random(nb) < _FEEDBACK_SHARE)
    n_surveys = np.where(rng.random(len(surveyed)) < 0.4, 2, 1)
    f_cust = np.repeat(surveyed, n_surveys)
    n_fb = len(f_cust)
    f_order = ord_start[f_cust] + (rng.random(n_fb) * n_orders_c[f_cust]).astype(np.int64)
    f_sec = ord_sec[f_order] + 1800 + (rng.random(n_fb) * 7 * 86400).astype(np.int64)
    f_sec = np.minimum(_time_of_day(f_sec, np.zeros(n_fb, np.int64)), window_sec - 1)
    f_sec = np.maximum(f_sec, ord_sec[f_order])
    nps = np.clip(np.rint(8.3 + 1.5 * satisfaction[f_cust] + rng.normal(0.0, 1.2, n_fb)),
                  0, 10).astype(np.int64)
    csat = np.clip(np.rint(1.0 + 0.4 * nps + rng.normal(0.0, 0.5, n_fb)), 1, 5).astype(
        np.int64)
    f_cat = first_cat[f_order] if n_fb else np.zeros(0, np.int64)
    negative = np.where(nps <= 6, True, np.where(nps >= 9, False,
                                                 rng.random(n_fb) < np.where(nps == 7, 0.6, 0.3)))
    passive = (nps >= 7) & (nps <= 8)
    empty = rng.random(n_fb) < np.where(passive, 0.25, 0.08)
    english = rng.random(n_fb) < 0.15
    cw = np.tile(_COMPLAINT_BASE, (n_fb, 1))
    cw[o_channel[f_order] == 0, 0] *= 0.2
    cw[persona_b[f_cust] == 0, 2] *= 2.5
    cw[persona_b[f_cust] == 1, 1] *= 1.8
    cw[f_cat == 5, 5] *= 2.0
    cw[has_return[f_cust], 4] *= 2.0
    cw /= cw.sum(axis=1, keepdims=True)
    complaint = _pick_rows(rng, cw)
    tpl_u = rng.random(n_fb)
    pre_u = rng.random(n_fb)
    item_i = rng.integers(0, 6, n_fb)
    fill_days = rng.integers(2, 16, n_fb)
    fill_n = rng.integers(2, 6, n_fb)
    fill_pct = rng.integers(2, 8, n_fb) * 5
    fill_amount = rng.integers(2, 30, n_fb) * 5
    fill_minutes = rng.integers(3, 13, n_fb) * 5
    comments: list[str] = []
    fitting: dict[tuple[int, int, int, int, int], list[str]] = {}
    for i in range(n_fb):
        if empty[i]:
            comments.append("")
            continue
        lang, neg, cat, item = int(english[i]), int(negative[i]), int(f_cat[i]), int(item_i[i])
        key = (lang, neg, int(complaint[i]) if neg else -1, cat, item)
        pool = fitting.get(key)
        if pool is None:
            if neg:
                source = (_COMPLAINTS_EN if lang else _COMPLAINTS_ZH)[complaint[i]]
            else:
                source = _PRAISE_EN if lang else _PRAISE_ZH
            pool = fitting[key] = _fitting_templates(source, _ITEMS[cat][item][2])
        text = pool[int(tpl_u[i] * len(pool))].format(
            item=_ITEMS[cat][item][lang], days=fill_days[i], n=fill_n[i], pct=fill_pct[i],
            amount=fill_amount[i], minutes=fill_minutes[i])
        if neg and passive[i]:
            prefixes = _MILD_PREFIX_EN if lang else _MILD_PREFIX_ZH
            prefix = prefixes[int(pre_u[i] * len(prefixes))]
            if prefix and lang:
                text = prefix + text[0].lower() + text[1:]
            else:
                text = prefix + text
        comments.append(text)
    fb_order = np.lexsort((np.arange(n_fb), f_sec))
    survey_ch = _pick(rng, np.array([0.30, 0.30, 0.20, 0.10, 0.10]), n_fb)
    feedback = pd.DataFrame({
        "customer_id": cid_b[f_cust],
        "submitted_at": _timestamps(start, f_sec),
        "nps": nps,
        "csat": csat,
        "comment": comments,
        "channel": np.array(_SURVEY_CHANNELS)[survey_ch],
        "category": np.array(CATEGORIES)[f_cat],
    }).iloc[fb_order].reset_index(drop=True)
    has_text = ~empty[fb_order]
    comments_truth = pd.DataFrame({
        "feedback_row": np.flatnonzero(has_text),
        "complaint_category": np.where(negative, np.array(COMPLAINT_CATEGORIES)[complaint],
                                       "")[fb_order][has_text],
        "complaint_category_en": np.where(negative,
                                          np.array(COMPLAINT_CATEGORIES_EN)[complaint],
                                          "")[fb_order][has_text],
        "sentiment": np.where(negative, 0, 1)[fb_order][has_text],
        "language": np.where(english, "en", "zh")[fb_order][has_text],
    })

    # --- events -----------------------------------------------------------------------------
    week = 7 * 86400.0
    sat_all = np.concatenate([satisfaction, np.zeros(n_pros)])
    lam_all = np.concatenate([lam, np.zeros(n_pros)])
    is_buyer = np.arange(n_total) < nb
    dead_all = np.concatenate([dead, np.zeros(n_pros, bool)])
    drop_all = np.concatenate([dropout_sec, np.full(n_pros, -1, np.int64)])
    first_all = np.concatenate([first_sec, signup_p])
    linger = (rng.exponential(4.0, n_total) * week).astype(np.int64)
    alive_end = np.where(dead_all, np.minimum(drop_all + linger, window_sec - 1), window_sec - 1)
    sig_c = np.clip(signup, 0, window_sec - 1)
    email_ok = emails != ""
    open_prop = rng.beta(1.5, 3.0, n_total)
    coupon_mult = np.where(persona == 0, 4.0, 1.0)
    specs = (  # (event, rate per week, start, stop)
        (0, 0.5 * lam_all + np.where(is_buyer, 0.02, 0.03), sig_c, alive_end),
        (1, 0.10 * open_prop * email_ok, sig_c, np.full(n_total, window_sec - 1)),
        (2, np.where(is_buyer, 0.006 * np.exp(-0.8 * sat_all) * np.where(dead_all, 2.5, 1.0),
                     0.0), np.where(is_buyer, first_all, 0), alive_end),
        (3, 0.008 * coupon_mult, sig_c, alive_end),
    )
    ev_cust, ev_kind, ev_sec = [], [], []
    for code, rate_w, lo, hi in specs:
        dur = np.maximum(hi - lo, 0)
        cnt = rng.poisson(rate_w * dur / week)
        who = np.repeat(np.arange(n_total), cnt)
        ev_cust.append(who)
        ev_kind.append(np.full(len(who), code, np.int64))
        ev_sec.append(lo[who] + (rng.random(len(who)) * dur[who]).astype(np.int64))
    e_cust = np.concatenate(ev_cust)
    e_kind = np.concatenate(ev_kind)
    e_sec = np.concatenate(ev_sec)
    n_ev = len(e_cust)
    visit_ch = _pick_rows(rng, chan_mix, e_cust)
    ticket_ch = _pick(rng, np.array([0.4, 0.45, 0.15]), n_ev)
    coupon_ch = np.where(rng.random(n_ev) < 0.5, "小程序", "APP")
    e_channel = np.where(e_kind == 0, np.array(_VISIT_CHANNELS)[visit_ch],
                         np.where(e_kind == 1, "邮件",
                                  np.where(e_kind == 2, np.array(_TICKET_CHANNELS)[ticket_ch],
                                           coupon_ch)))
    e_sec = _time_of_day(e_sec, ((e_kind == 0) & (visit_ch == 0)).astype(np.int64))
    e_sec = np.clip(e_sec, 0, window_sec - 1)
    ev_order = np.lexsort((e_kind, id_num[e_cust], e_sec))
    events = {
        "customer_id": _Blocks(_Take(cid), e_cust[ev_order]),
        "timestamp": _Blocks(partial(_timestamp_text, start), e_sec[ev_order]),
        "event": _Blocks(_Take(np.array(_EVENT_TYPES)), e_kind[ev_order]),
        "channel": e_channel[ev_order],
    }
    del e_cust, e_kind, e_sec, e_channel, visit_ch, ticket_ch, coupon_ch, ev_order, ev_cust, \
        ev_kind, ev_sec

    # --- truth -------------------------------------------------------------------------------
    truth_customers = _reordered(id_order, {
        "customer_id": cid,
        "persona": np.array(PERSONAS)[persona],
        "persona_en": np.array(PERSONAS_EN)[persona],
        "is_prospect": ~is_buyer,
        "lambda_per_week": np.concatenate([lam, np.full(n_pros, np.nan)]),
        "p_dropout": np.concatenate([p_drop, np.full(n_pros, np.nan)]),
        "dropped_out": dead_all,
        "dropout_date": np.where(dead_all, _timestamps(start, np.maximum(drop_all, 0)), ""),
        "spend_scale": np.concatenate([nu, np.full(n_pros, np.nan)]),
        "first_purchase": np.concatenate([_timestamps(start, first_sec),
                                          np.full(n_pros, "", dtype="U19")]),
        "n_orders": np.concatenate([n_orders_c, np.zeros(n_pros, np.int64)]),
    })
    affinity = pd.DataFrame(_CATEGORY_AFFINITY, columns=list(CATEGORIES))
    affinity.insert(0, "persona", list(PERSONAS))
    affinity.insert(1, "persona_en", list(PERSONAS_EN))

    n_tx = len(transactions["customer_id"])
    params = {
        "bgnbd": dict(BGNBD_PARAMS),
        "bgnbd_time_unit": "weeks",
        "gamma_gamma": dict(GAMMA_GAMMA_PARAMS),
        "gamma_gamma_unit": "RMB per order",
        "mean_order_value": gg_p * gg_gamma / (gg_q - 1.0),
        "seed": int(seed),
        "customers": n_total,
        "buyers": nb,
        "prospects": n_pros,
        "orders": n_ord,
        "transaction_lines": n_tx,
        "returns": n_ret,
        "duplicates": n_dup,
        "feedback_rows": n_fb,
        "events": n_ev,
        "start_date": str(start.astype("datetime64[D]")),
        "end_date": str(last_day),
        "years": float(years),
        "notes": ("BG/NBD: dropout possible right after each repeat purchase (not after the "
                  "first). Orders may have 1-3 lines; truth parameters describe orders."),
    }

    if campaigns:
        n_tx = _plant_campaigns(out, transactions, seed, start=start, buyer=buyer,
                                id_num=id_num, cid=cid, signup=signup, o_id=o_id, t_ord=t_ord,
                                kind=kind, t_sec=t_sec)
        params["transaction_lines"] = n_tx
        params["campaigns"] = [spec["campaign_id"] for spec in PLANTED_CAMPAIGNS]
    else:
        _write_csv(transactions, out / "transactions.csv", float_format="%.2f")
    _write_csv(customers_df, out / "customers.csv")
    _write_csv(feedback, out / "feedback.csv")
    _write_csv(events, out / "events.csv")
    _write_text(json.dumps(params, ensure_ascii=False, indent=2) + "\n",
                out / "truth" / "params.json")
    _write_csv(truth_customers, out / "truth" / "customers.csv")
    _write_csv(comments_truth, out / "truth" / "comments.csv")
    _write_csv(affinity, out / "truth" / "category_affinity.csv")

    return DemoTruth(
        bgnbd=dict(BGNBD_PARAMS),
        gamma_gamma=dict(GAMMA_GAMMA_PARAMS),
        n_customers=n_total,
        n_transactions=n_tx,
        out_dir=out,
        seed=int(seed),
        end_date=str(last_day),
        n_orders=n_ord,
        n_prospects=n_pros,
        n_feedback=n_fb,
        n_events=n_ev,
    )


def month_earlier(data_dir: str | Path, out_dir: str | Path, *, days: int = 30) -> date:
    """Write ``out_dir``: the demo data in ``data_dir`` as it was ``days`` days earlier.

    The cut-off is the last purchase day of ``transactions.csv`` minus ``days``; transactions,
    feedback and events after it are removed, and so are customers who signed up after it.
    Running the reports on ``out_dir`` gives the "previous run" to compare the full data with
    (``workbench run --previous``). ``truth/`` is not copied. Values are copied as text, so
    identifiers keep their leading zeros. Returns the cut-off day (the earlier as_of).
    """
    src, out = Path(data_dir), Path(out_dir)
    if src.resolve() == out.resolve():
        raise ValueError(f"the earlier snapshot must go to another folder than {src}")
    out.mkdir(parents=True, exist_ok=True)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(src / name, dtype=str, keep_default_na=False)

    transactions = read("transactions.csv")
    last = pd.to_datetime(transactions["order_date"]).max().normalize()
    cutoff = last - pd.Timedelta(days=days)
    dated = {"transactions.csv": "order_date", "feedback.csv": "submitted_at",
             "events.csv": "timestamp", "customers.csv": "signup_date"}
    for name, column in dated.items():
        if not (src / name).exists():
            continue
        frame = transactions if name == "transactions.csv" else read(name)
        day = pd.to_datetime(frame[column], errors="coerce").dt.normalize()
        _write_csv(frame[(day <= cutoff) | day.isna()], out / name)
    return cutoff.date()
