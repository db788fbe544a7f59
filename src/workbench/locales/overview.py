"""Report text of the overview's reconciliation table."""

ENTRIES: dict[str, dict[str, str]] = {
    "ov.rec.title": {"en": "One count per concept", "zh": "各口径客户数对照"},
    "ov.rec.intro": {
        "en": "Every report of this run counts customers with these definitions. Lifecycle stages are "
              "the definition of active, at risk and churned; the churn probability and P(alive) are "
              "model scores shown beside them, not other definitions of the same thing.",
        "zh": "本次运行的所有报告都按以下口径计数。活跃、沉睡预警与流失以生命周期阶段为准；流失概率与存活概率"
              "P(alive) 是模型评分，列在旁边供参考，并非同一概念的另一种口径。"},
    "ov.rec.col.concept": {"en": "Concept", "zh": "口径"},
    "ov.rec.col.customers": {"en": "Customers", "zh": "客户数"},
    "ov.rec.col.share": {"en": "Share of customers who bought", "zh": "占购买客户比例"},
    "ov.rec.col.definition": {"en": "Definition", "zh": "定义"},
    "ov.rec.col.source": {"en": "Report", "zh": "来源报告"},
    "ov.rec.registered": {"en": "Registered customers", "zh": "注册客户"},
    "ov.rec.registered.def": {"en": "rows of the customers table", "zh": "客户表中的客户"},
    "ov.rec.bought": {"en": "Customers who bought", "zh": "购买客户"},
    "ov.rec.bought.def": {"en": "at least one purchase on or before {as_of}",
                          "zh": "截至 {as_of}（含）至少购买过一次"},
    "ov.rec.recent": {"en": "Bought in the last {days} days", "zh": "近{days}天有购买"},
    "ov.rec.recent.def": {"en": "last purchase within {days} days of {as_of}",
                          "zh": "最近一次购买在 {as_of} 前{days}天内"},
    "ov.rec.active": {"en": "Active (lifecycle)", "zh": "活跃（生命周期）"},
    "ov.rec.active.def": {"en": "stage new, active, loyal or reactivated",
                          "zh": "阶段为新客、活跃、忠诚或回流"},
    "ov.rec.at_risk": {"en": "At risk (lifecycle)", "zh": "沉睡预警（生命周期）"},
    "ov.rec.at_risk.def": {"en": "stage at risk: overdue against the base's typical gap",
                           "zh": "阶段为沉睡预警：超过客户群的常见复购间隔"},
    "ov.rec.churned": {"en": "Churned (lifecycle)", "zh": "已流失（生命周期）"},
    "ov.rec.churned.def": {"en": "stage churned: no purchase for longer than the churn threshold",
                           "zh": "阶段为流失：超过流失阈值未购买"},
    "ov.rec.churn_model": {"en": "Model: churn probability above 50%",
                           "zh": "模型：流失概率超过50%"},
    "ov.rec.churn_model.def": {"en": "churn model score, of {n} customers scored",
                               "zh": "流失模型评分，共评估 {n} 位客户"},
    "ov.rec.alive_model": {"en": "Model: P(alive) below 50%", "zh": "模型：存活概率低于50%"},
    "ov.rec.alive_model.def": {"en": "BG/NBD score, of {n} customers modelled",
                               "zh": "BG/NBD 模型评分，共建模 {n} 位客户"},
    # since the last run (the section also appears in 08_actions)
    "ov.chg.customers": {
        "en": "{n} customers entered at risk or churned, or are high-value customers whose health "
              "score fell by more than {points} points (first {shown} shown):",
        "zh": "{n} 位客户新进入沉睡预警或流失，或为健康分下降超过{points}分的高价值客户（显示前 {shown} 位）："},
    "ov.chg.matrix": {
        "en": "Segment migrations: customers of both runs by their RFM segment then (rows) and now "
              "(columns); {moved} moved.",
        "zh": "分群迁移：两次运行都有的客户，按上次（行）与本次（列）的 RFM 分群计数；{moved} 位发生变化。"},
    "ov.chg.before_now": {"en": "Last run \\ this run", "zh": "上次 \\ 本次"},
    "ov.chg.col.customer_id": {"en": "Customer", "zh": "客户"},
    "ov.chg.col.change": {"en": "Change", "zh": "变化"},
    "ov.chg.col.before": {"en": "Last run", "zh": "上次"},
    "ov.chg.col.now": {"en": "This run", "zh": "本次"},
}
