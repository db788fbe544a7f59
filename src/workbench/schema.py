"""The canonical data model: table and column names every module relies on.

User column names are mapped to these only at the loading boundary (:mod:`workbench.io`);
inside the package, code refers to the constants defined here.

Tables
------
transactions
    One line per order (or order line). ``customer_id`` (string, leading zeros kept),
    ``order_id``, ``order_date`` (datetime), ``amount`` (float, currency units; negative
    amounts are returns). Optional ``quantity``, ``channel``, ``product_id``, ``category``,
    ``store``, ``discount`` (currency units).
customers
    One row per customer. ``customer_id``; optional ``signup_date``, ``gender``, ``age``
    (years), ``city``, ``region``, ``tier`` (membership level, e.g. 普通/白银/黄金/铂金),
    ``acquisition_channel``, ``name``, ``phone``, ``email``; for contractual businesses
    ``churned`` (bool) and ``churned_at`` (datetime). Further columns are kept as customer
    attributes (features for the churn model).
feedback
    One row per survey answer or comment. ``customer_id``, ``submitted_at``, any of ``nps``
    (0-10), ``csat`` (1-5), ``ces`` (1-7), ``comment``, ``channel``, ``category``.
events
    One row per behavioural event. ``customer_id``, ``timestamp``, ``event`` (visit,
    email_open, support_ticket, ...), ``channel``.
subscriptions
    One row per period of constant MRR: ``customer_id``, ``subscription_id``, ``start_date``,
    ``end_date`` (blank while running), ``mrr`` (currency units per month; or ``arr`` per year,
    divided by 12); optional ``plan``, ``seats``, ``billing_period``, ``renewal_date``,
    ``status``, ``cancel_reason``. Checked by ``workbench.success.data.validate_subscriptions``.
campaigns
    One row per customer and campaign: ``customer_id``, ``campaign_id``, ``sent_at``, ``arm``;
    optional ``channel``, ``offer``, ``cost`` (per contact), ``converted`` (0/1), ``revenue``.
    Checked by ``workbench.campaigns.data.check_campaigns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workbench.registry import REPORTS

__all__ = [
    "ANALYSIS_COLUMNS",
    "ANALYSIS_REQUIREMENTS",
    "CAMPAIGNS",
    "CUSTOMERS",
    "EVENTS",
    "FEEDBACK",
    "FILE_ALIASES",
    "PII_COLUMNS",
    "SUBSCRIPTIONS",
    "TABLES",
    "TRANSACTIONS",
    "Column",
    "Table",
]

ColumnKind = Literal["id", "string", "datetime", "float", "int", "bool", "score"]


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``aliases`` are header names seen in real exports (Chinese CRM/e-commerce back ends and
    English ones) that are mapped automatically when ``mapping.yaml`` does not say otherwise.
    ``valid_range`` is inclusive and applies to numeric kinds.
    """

    name: str
    kind: ColumnKind
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()
    valid_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns and whether unknown columns are kept."""

    name: str
    columns: tuple[Column, ...]
    keep_extra_columns: bool = False
    description: str = ""
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def __getitem__(self, name: str) -> Column:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


_CUSTOMER_ID = Column(
    "customer_id",
    "id",
    required=True,
    description="Customer identifier, kept as text so leading zeros survive.",
    aliases=(
        "客户ID", "客户id", "客户编号", "客户号", "会员ID", "会员id", "会员编号", "会员号",
        "用户ID", "用户id", "买家ID", "customer", "customerid", "customer id", "cust_id",
        "client_id", "member_id", "user_id",
    ),
)

TRANSACTIONS = Table(
    "transactions",
    (
        _CUSTOMER_ID,
        Column(
            "order_id",
            "id",
            description="Order identifier; synthesised from the line number when absent.",
            aliases=("订单ID", "订单id", "订单号", "订单编号", "单号", "invoice", "invoiceno",
                     "invoice_no", "order", "orderid", "order id", "order_number"),
        ),
        Column(
            "order_date",
            "datetime",
            required=True,
            description="Date (and time) of the order.",
            aliases=("下单时间", "下单日期", "订单日期", "订单时间", "支付时间", "交易时间",
                     "交易日期", "购买日期", "date", "orderdate", "order date", "invoicedate",
                     "purchase_date", "transaction_date"),
        ),
        Column(
            "amount",
            "float",
            required=True,
            description="Amount paid, in currency units; negative amounts are returns.",
            aliases=("实付金额", "支付金额", "订单金额", "金额", "销售额", "消费金额", "交易金额",
                     "amount paid", "revenue", "sales", "total", "value", "price_total"),
        ),
        Column("quantity", "float", description="Units bought.",
               aliases=("数量", "购买数量", "件数", "qty")),
        Column("channel", "string", description="Sales channel (门店, 小程序, APP, 电商平台, ...).",
               aliases=("渠道", "销售渠道", "下单渠道", "来源渠道")),
        Column("product_id", "id", description="Product or SKU identifier.",
               aliases=("商品ID", "商品id", "商品编号", "SKU", "sku", "stockcode", "product")),
        Column("category", "string", description="Product category.",
               aliases=("品类", "类目", "商品类目", "商品品类", "product_category")),
        Column("store", "string", description="Store or shop.", aliases=("门店", "店铺", "shop")),
        Column("discount", "float", description="Discount granted, in currency units.",
               aliases=("优惠金额", "折扣金额", "优惠", "discount_amount")),
    ),
    description="Orders or order lines.",
)

CUSTOMERS = Table(
    "customers",
    (
        _CUSTOMER_ID,
        Column("signup_date", "datetime", description="Registration date.",
               aliases=("注册时间", "注册日期", "开卡日期", "入会时间", "signup", "created_at",
                        "registration_date")),
        Column("gender", "string", aliases=("性别", "sex")),
        Column("age", "float", description="Age in years.", aliases=("年龄",),
               valid_range=(0, 120)),
        Column("city", "string", aliases=("城市", "所在城市")),
        Column("region", "string", aliases=("地区", "区域", "省份", "province")),
        Column("tier", "string", description="Membership level (普通/白银/黄金/铂金, ...).",
               aliases=("会员等级", "等级", "会员级别", "membership", "level")),
        Column("acquisition_channel", "string",
               aliases=("获客渠道", "注册渠道", "来源", "source")),
        Column("name", "string", description="Personal data: masked in reports.",
               aliases=("姓名", "客户姓名", "客户名称", "会员姓名", "full_name")),
        Column("phone", "string", description="Personal data: masked in reports.",
               aliases=("手机", "手机号", "手机号码", "电话", "联系电话", "mobile", "telephone")),
        Column("email", "string", description="Personal data: masked in reports.",
               aliases=("邮箱", "电子邮箱", "e-mail", "mail")),
        Column("churned", "bool", description="Contractual churn flag.",
               aliases=("是否流失", "流失", "churn", "is_churned")),
        Column("churned_at", "datetime", description="Contract end date.",
               aliases=("流失时间", "流失日期", "解约日期", "churn_date", "end_date")),
        Column("mrr", "float", description="Monthly recurring revenue (currency units per "
                                           "month) without a subscriptions table.",
               aliases=("月费", "MonthlyCharges", "monthly_charges")),
        Column("account_manager", "string", description="Owner of the account.",
               aliases=("客户经理", "负责人", "owner", "csm")),
        Column("parent_id", "id", description="Parent account: results roll up to it.",
               aliases=("母公司ID", "上级客户ID", "parent", "parent_account")),
        Column("industry", "string", aliases=("行业", "所属行业")),
        Column("company_size", "string", aliases=("公司规模", "企业规模", "employees")),
    ),
    keep_extra_columns=True,
    description="Customer master data; extra columns are kept as attributes.",
)

FEEDBACK = Table(
    "feedback",
    (
        _CUSTOMER_ID,
        Column("submitted_at", "datetime", required=True,
               aliases=("提交时间", "反馈时间", "评价时间", "日期", "date", "created_at")),
        Column("nps", "score", description="Likelihood to recommend, 0-10.",
               aliases=("推荐意愿", "推荐度", "NPS", "nps_score"), valid_range=(0, 10)),
        Column("csat", "score", description="Satisfaction, 1-5.",
               aliases=("满意度", "CSAT", "satisfaction"), valid_range=(1, 5)),
        Column("ces", "score", description="Customer effort, 1-7.",
               aliases=("费力度", "CES", "effort"), valid_range=(1, 7)),
        Column("comment", "string", aliases=("评论", "评价", "评价内容", "反馈内容", "意见",
                                             "留言", "text", "review")),
        Column("channel", "string", aliases=("渠道", "反馈渠道")),
        Column("category", "string", aliases=("类别", "问题类型", "反馈类型")),
        Column("response_id", "id", description="Identifier of the answer.",
               aliases=("answer_id", "反馈ID")),
    ),
    description="Survey answers and comments.",
)

EVENTS = Table(
    "events",
    (
        _CUSTOMER_ID,
        Column("timestamp", "datetime", required=True,
               aliases=("时间", "事件时间", "发生时间", "time", "event_time", "date")),
        Column("event", "string", required=True,
               aliases=("事件", "事件类型", "行为", "event_type", "action")),
        Column("channel", "string", aliases=("渠道",)),
    ),
    description="Behavioural events: visits, email opens, support tickets, ...",
)

SUBSCRIPTIONS = Table(
    "subscriptions",
    (
        Column("customer_id", "id", required=True, description=_CUSTOMER_ID.description,
               aliases=(*_CUSTOMER_ID.aliases, "account_id", "账户ID")),
        Column("subscription_id", "id", required=True,
               description="Subscription or contract identifier.",
               aliases=("合同编号", "合同号", "订阅ID", "订阅编号", "contract_id", "contract",
                        "subscription", "subscriptionid", "subscription id")),
        Column("start_date", "datetime", required=True,
               description="First day of the period (inclusive).",
               aliases=("开始日期", "起始日期", "生效日期", "合同开始日期", "start", "start date",
                        "period_start")),
        Column("end_date", "datetime",
               description="Last day of the period (inclusive); blank while it runs.",
               aliases=("到期日", "结束日期", "截止日期", "合同到期日", "end", "end date",
                        "period_end")),
        Column("mrr", "float", description="Monthly recurring revenue, currency units per month.",
               aliases=("月费", "月度经常性收入", "月收入", "monthly_fee",
                        "monthly recurring revenue")),
        Column("arr", "float",
               description="Annual recurring revenue, currency units per year (÷12 when mrr is "
                           "absent).",
               aliases=("年费", "年度经常性收入", "年收入", "annual_fee",
                        "annual recurring revenue", "acv")),
        Column("plan", "string", aliases=("套餐", "版本", "产品版本", "plan_name", "tier")),
        Column("seats", "float", description="Seats (licences) in the period.",
               aliases=("席位", "席位数", "账号数", "licenses", "licences", "users")),
        Column("billing_period", "string", description="monthly, quarterly or annual.",
               aliases=("付费周期", "计费周期", "billing", "billing_cycle", "billing cycle")),
        Column("renewal_date", "datetime",
               aliases=("续约日期", "续费日期", "renewal", "next_renewal", "renewal date")),
        Column("status", "string", aliases=("状态", "合同状态", "subscription_status")),
        Column("cancel_reason", "string",
               aliases=("取消原因", "流失原因", "解约原因", "churn_reason", "cancellation_reason")),
    ),
    description="Subscription periods of constant MRR (one row per period).",
)

CAMPAIGNS = Table(
    "campaigns",
    (
        _CUSTOMER_ID,
        Column("campaign_id", "id", required=True, description="Campaign identifier or name.",
               aliases=("活动ID", "活动编号", "活动", "活动名称", "campaign", "campaign_name")),
        Column("sent_at", "datetime", required=True,
               description="When the contact went out (or would have, for the control group).",
               aliases=("发送时间", "触达时间", "推送时间", "send_time", "sent_date",
                        "contact_date")),
        Column("arm", "string", required=True,
               description="The treatment's name, or control (对照组, holdout).",
               aliases=("分组", "组别", "实验组", "group", "variant", "treatment")),
        Column("channel", "string", aliases=("渠道",)),
        Column("offer", "string", aliases=("权益", "优惠", "优惠券")),
        Column("cost", "float", description="Cost per contact, currency units.",
               aliases=("成本", "触达成本")),
        Column("converted", "string", description="Converted within the campaign (0/1).",
               aliases=("是否转化", "转化")),
        Column("revenue", "float", description="Revenue from the campaign, currency units.",
               aliases=("收入", "活动收入")),
    ),
    description="Campaign log: one row per customer and campaign, with its arm.",
)

TABLES: dict[str, Table] = {t.name: t for t in (TRANSACTIONS, CUSTOMERS, FEEDBACK, EVENTS,
                                                SUBSCRIPTIONS, CAMPAIGNS)}

#: File names (without extension; case, spaces, ``_`` and ``-`` ignored) recognised as each
#: table besides the table's own name: ``orders.csv`` and ``订单.xlsx`` hold transactions.
#: Any other name can be given in ``mapping.yaml`` under ``files:``.
FILE_ALIASES: dict[str, tuple[str, ...]] = {
    "transactions": (
        "transaction", "orders", "order", "order_lines", "orderlines", "sales", "purchases",
        "invoices", "订单", "订单明细", "订单数据", "交易", "交易记录", "交易明细", "交易数据",
        "销售", "销售记录", "销售明细", "购买记录", "消费记录",
    ),
    "customers": (
        "customer", "clients", "client", "members", "member", "users", "客户", "客户信息",
        "客户表", "客户数据", "会员", "会员信息", "会员表", "会员数据", "用户", "用户信息",
    ),
    "feedback": (
        "feedbacks", "survey", "surveys", "nps", "csat", "reviews", "review", "comments",
        "评价", "评论", "反馈", "问卷", "调研", "满意度", "满意度调查", "客户反馈", "用户反馈",
    ),
    "events": (
        "event", "activity", "activities", "behaviour", "behavior", "behaviours", "behaviors",
        "行为", "行为数据", "行为日志", "事件", "埋点", "访问记录",
    ),
    "subscriptions": ("subscription", "contracts", "contract", "订阅", "订阅记录", "合同", "合同明细"),
    "campaigns": ("campaign", "campaign_log", "营销活动", "活动", "活动记录", "触达记录", "营销记录"),
}

#: Columns holding personal data; reports mask them (see :mod:`workbench.safety`).
PII_COLUMNS: tuple[str, ...] = ("name", "phone", "email")

#: Which tables each analysis needs (declared in :mod:`workbench.registry`). An inner tuple
#: means "any one of these".
ANALYSIS_REQUIREMENTS: dict[str, tuple[str | tuple[str, ...], ...]] = {
    report.topic: report.needs for report in REPORTS}

#: Columns an analysis needs in a table beyond the required ones: any one of the alternatives
#: must be present and hold values. Personalization recommends products, or categories when
#: the transactions carry no product id.
ANALYSIS_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    report.topic: dict(report.columns) for report in REPORTS if report.columns}
