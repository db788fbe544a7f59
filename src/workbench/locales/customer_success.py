"""Report text of the customer success report (09_customer_success)."""

ENTRIES: dict[str, dict[str, str]] = {
    "cs.headline": {"en": "MRR {mrr} (ARR {arr}); over 12 months NRR {nrr} and GRR {grr}; "
                          "{at_risk} of ARR at risk in the renewals due within {days} days.",
                    "zh": "MRR {mrr}（ARR {arr}）；12 个月净收入留存率 {nrr}、毛收入留存率 {grr}；"
                          "{days} 天内到期续约中风险 ARR 为 {at_risk}。"},
    "topic.customer_success": {"en": "Customer success", "zh": "客户成功"},
    # headings
    "cs.h.revenue": {"en": "MRR, ARR and the monthly MRR bridge", "zh": "MRR、ARR 与月度 MRR 变动桥"},
    "cs.h.retention": {"en": "Revenue and logo retention", "zh": "收入留存与客户留存"},
    "cs.h.activation": {"en": "Activation and onboarding", "zh": "客户激活与上手"},
    "cs.h.health": {"en": "Health score and how well it predicts", "zh": "健康度评分及其预测效果"},
    "cs.h.renewals": {"en": "Renewals due in the next {days} days", "zh": "未来 {days} 天到期的续约"},
    "cs.h.expansion": {"en": "Expansion: the upsell list", "zh": "增购：扩展销售名单"},
    # definitions
    "cs.def.mrr": {
        "en": "**MRR** at a month end is the sum of the monthly recurring revenue of the subscription "
              "periods running on the month's last day (a period runs on every day from its start to its "
              "end date inclusive); **ARR** is 12 × MRR.",
        "zh": "月末 **MRR**（月度经常性收入）为当月最后一天仍在生效的订阅期的月费之和（订阅期从开始日期到结束日期每天都生效，含首尾）；**ARR** = 12 × MRR。"},
    "cs.def.bridge": {
        "en": "Per customer, from one month end to the next: **new** is MRR now from a customer who never had any; "
              "**reactivation** is MRR now from a customer who had none last month but had some earlier; "
              "**expansion** and **contraction** are the changes when both months have MRR; **churned** is last "
              "month's MRR of a customer who has none now. MRR now = MRR last month + new + reactivation + "
              "expansion - contraction - churned, exactly.",
        "zh": "按客户逐月比较：**新增**为此前从未有过 MRR 的客户本月的 MRR；**回流**为上月为 0、更早有过 MRR 的客户本月的 MRR；"
              "**扩展**与**收缩**为两个月都有 MRR 时的增减；**流失**为本月为 0 的客户上月的 MRR。"
              "本月 MRR = 上月 MRR + 新增 + 回流 + 扩展 - 收缩 - 流失，严格相等。"},
    "cs.def.nrr": {
        "en": "**NRR₁₂** is the MRR now of the customers who had MRR twelve month ends ago, divided by their MRR "
              "then; **GRR₁₂** counts each of them at no more than their MRR then. Both are taken at {month}, "
              "the last month end on or before the analysis date. Accounts with a parent are counted with it.",
        "zh": "**12个月 NRR**（净收入留存率）为 12 个月末之前有 MRR 的客户现在的 MRR 除以他们当时的 MRR；**12个月 GRR**（毛收入留存率）中每位客户最多按当时的 MRR 计。"
              "两者均取 {month}，即分析日期当天或之前的最后一个月末。有母账户的客户并入母账户计算。"},
    "cs.def.renewal": {
        "en": "A term comes up for renewal on its renewal date (the first start plus whole terms: monthly or "
              "annual) when the subscription ran the day before; it renewed when the subscription runs on the date.",
        "zh": "订阅在续约日（首次开始日期加整数个合同期：按月或按年）前一天仍在生效即视为到期待续；续约日当天仍在生效即为已续约。"},
    # kpis
    "cs.kpi.mrr": {"en": "MRR", "zh": "MRR（月度经常性收入）"},
    "cs.kpi.arr": {"en": "ARR", "zh": "ARR（年度经常性收入）"},
    "cs.kpi.nrr": {"en": "NRR, 12 months", "zh": "12个月净收入留存率"},
    "cs.kpi.grr": {"en": "GRR, 12 months", "zh": "12个月毛收入留存率"},
    "cs.kpi.logo_churn": {"en": "Logo churn per month", "zh": "月客户流失率"},
    "cs.kpi.renewal_rate": {"en": "Renewal rate", "zh": "续约率"},
    "cs.kpi.expansion_rate": {"en": "Expansion rate", "zh": "增购率"},
    "cs.kpi.arr_at_risk": {"en": "ARR at risk", "zh": "风险 ARR"},
    "cs.note.at_month": {"en": "at {month}", "zh": "截至 {month}"},
    "cs.note.last_12": {"en": "mean of the last 12 months", "zh": "近12个月平均"},
    "cs.note.renewals": {"en": "{renewed} of {came_up} terms, last 12 months", "zh": "近12个月 {came_up} 个到期合同中 {renewed} 个续约"},
    "cs.note.expansion": {"en": "customers with more MRR than a year ago", "zh": "MRR 高于一年前的客户占比"},
    "cs.note.due": {"en": "{n} renewals due in {days} days", "zh": "{days} 天内到期 {n} 个"},
    # sentences
    "cs.say.revenue": {
        "en": "At {month} MRR is **{mrr}** (ARR {arr}), {change} against twelve months earlier.",
        "zh": "截至 {month}，MRR 为 **{mrr}**（ARR {arr}），较 12 个月前{change}。"},
    "cs.say.bridge_last": {
        "en": "In {month}: new {new}, reactivation {reactivation}, expansion {expansion}, contraction {contraction}, "
              "churned {churned}.",
        "zh": "{month}：新增 {new}，回流 {reactivation}，扩展 {expansion}，收缩 {contraction}，流失 {churned}。"},
    "cs.say.retention": {
        "en": "NRR₁₂ is **{nrr}** and GRR₁₂ **{grr}**, over {customers} customers with {base} MRR twelve months "
              "earlier. The renewal rate of the last 12 months is {renewal_rate} and the expansion rate {expansion_rate}.",
        "zh": "12个月 NRR 为 **{nrr}**，12个月 GRR 为 **{grr}**，基数为 12 个月前有 MRR 的 {customers} 位客户（MRR {base}）。"
              "近 12 个月续约率为 {renewal_rate}，增购率为 {expansion_rate}。"},
    "cs.say.no_retention": {
        "en": "The data cover less than twelve month ends before {month}, so NRR₁₂ and GRR₁₂ are not given.",
        "zh": "{month} 之前的数据不足 12 个月末，因此不给出 12个月 NRR 和 12个月 GRR。"},
    "cs.say.cohorts": {
        "en": "Each line is the accounts that started in one quarter: their MRR after k months over their MRR at the "
              "quarter's end.",
        "zh": "每条线代表同一季度开始的客户：k 个月后的 MRR 除以该季度末的 MRR。"},
    "cs.say.activation": {
        "en": "An account activates when it does the key event **{event}** within {days} days of its first start: "
              "{rate} of the {n} accounts old enough to judge did, with a median of {median} days.",
        "zh": "客户在首次开始后 {days} 天内完成关键行为 **{event}** 即视为激活：可判定的 {n} 个客户中 {rate} 已激活，中位用时 {median} 天。"},
    "cs.say.no_activation": {
        "en": "No account did the key event **{event}**; set the notebook parameter key_event to the event that "
              "means an account got value.",
        "zh": "没有客户完成关键行为 **{event}**；请把 notebook 参数 key_event 设为代表客户获得价值的事件。"},
    "cs.say.early_usage": {
        "en": "Accounts in the top usage tier of their first {window} days renewed their first term at {high}, "
              "against {low} for the bottom tier.",
        "zh": "首 {window} 天使用量最高一档的客户首个合同期续约率为 {high}，最低一档为 {low}。"},
    "cs.say.health_config": {
        "en": "The score combines {n} measures from {source}; onboarding weights apply in the first {days} days. "
              "Bands: red below {red}, yellow below {yellow}, green from {yellow}.",
        "zh": "评分由 {source} 中的 {n} 个指标组成；前 {days} 天使用上手期权重。分档：低于 {red} 为红，低于 {yellow} 为黄，{yellow} 及以上为绿。"},
    "cs.say.health_auc": {
        "en": "Scored at {cutoffs} monthly cutoffs with data up to each, the score separated the accounts that churned "
              "within {days} days from those that stayed with ROC-AUC **{auc}** ({n} account-cutoffs).",
        "zh": "在 {cutoffs} 个月度截止日上仅用截止日前的数据评分，健康度区分此后 {days} 天内流失与留存客户的 ROC-AUC 为 **{auc}**（共 {n} 个客户-截止日样本）。"},
    "cs.say.weights": {
        "en": "A logistic regression on the same measures would lean most on {top}.",
        "zh": "在相同指标上拟合的逻辑回归最看重{top}。"},
    "cs.say.declines": {
        "en": "{n} accounts lost at least {points} points of health in the last 7 or 30 days.",
        "zh": "{n} 个客户的健康度在近 7 天或 30 天内下降了至少 {points} 分。"},
    "cs.say.renewals": {
        "en": "{n} renewals worth {arr} of ARR are due by {until}; ARR at risk = ARR × (1 - renewal probability) "
              "comes to **{at_risk}**.",
        "zh": "截至 {until} 将有 {n} 个续约到期，涉及 ARR {arr}；风险 ARR = ARR × (1 - 续约概率)，合计 **{at_risk}**。"},
    "cs.say.no_renewals": {"en": "No renewal is due by {until}.", "zh": "截至 {until} 没有到期的续约。"},
    "cs.say.model_beats": {
        "en": "Tested on the renewals of the last {days} days with a model trained only on earlier ones, the renewal "
              "model reaches ROC-AUC {model} and beats the configured health score ({health}).",
        "zh": "以此前的续约训练、在近 {days} 天的续约上检验，续约模型的 ROC-AUC 为 {model}，优于配置的健康度评分（{health}）。"},
    "cs.say.model_not_beats": {
        "en": "Tested on the renewals of the last {days} days with a model trained only on earlier ones, the renewal "
              "model reaches ROC-AUC {model} and does not beat the configured health score ({health}).",
        "zh": "以此前的续约训练、在近 {days} 天的续约上检验，续约模型的 ROC-AUC 为 {model}，并未优于配置的健康度评分（{health}）。"},
    "cs.say.model_untested": {
        "en": "Too few past renewals of both outcomes to test the renewal model against the health score.",
        "zh": "已续约与未续约的历史样本太少，无法把续约模型与健康度评分对比检验。"},
    "cs.say.expansion": {
        "en": "{n} healthy accounts show usage growth or seats near their plan's limit.",
        "zh": "{n} 个健康客户使用量在增长或席位接近套餐上限。"},
    "cs.say.set_aside": {
        "en": "{n} subscription rows were set aside: {reasons}.",
        "zh": "{n} 行订阅数据被剔除：{reasons}。"},
    "cs.say.no_subscriptions": {
        "en": "This dataset has no subscriptions table (subscriptions.csv), so the customer success report has "
              "nothing to show.",
        "zh": "该数据集没有订阅表（subscriptions.csv），客户成功报告无内容可展示。"},
    "cs.up": {"en": "up {pct}", "zh": "增长 {pct}"},
    "cs.down": {"en": "down {pct}", "zh": "下降 {pct}"},
    "cs.flat": {"en": "unchanged", "zh": "持平"},
    "cs.list_sep": {"en": ", ", "zh": "、"},
    # reasons set aside
    "cs.reason.missing_start": {"en": "no start date", "zh": "缺少开始日期"},
    "cs.reason.missing_mrr": {"en": "no MRR", "zh": "缺少月费"},
    "cs.reason.negative_mrr": {"en": "negative MRR", "zh": "月费为负"},
    "cs.reason.end_before_start": {"en": "end before start", "zh": "结束日期早于开始日期"},
    # bridge movements
    "cs.move.mrr_start": {"en": "MRR at the start", "zh": "期初 MRR"},
    "cs.move.new": {"en": "New", "zh": "新增"},
    "cs.move.expansion": {"en": "Expansion", "zh": "扩展"},
    "cs.move.contraction": {"en": "Contraction", "zh": "收缩"},
    "cs.move.churned": {"en": "Churned", "zh": "流失"},
    "cs.move.reactivation": {"en": "Reactivation", "zh": "回流"},
    "cs.move.mrr_end": {"en": "MRR at the end", "zh": "期末 MRR"},
    # measures and features (codes of top_reasons)
    "cs.measure.usage_30d": {"en": "usage in the last 30 days", "zh": "近30天使用量"},
    "cs.measure.usage_trend": {"en": "usage against its baseline", "zh": "使用量相对基线的变化"},
    "cs.measure.days_since_use": {"en": "days since last use", "zh": "距上次使用天数"},
    "cs.measure.key_event_90d": {"en": "key events in 90 days", "zh": "近90天关键行为次数"},
    "cs.measure.tickets_90d": {"en": "support tickets in 90 days", "zh": "近90天工单数"},
    "cs.measure.nps_last": {"en": "last NPS answer", "zh": "最近一次 NPS"},
    "cs.measure.mrr_change_90d": {"en": "MRR change in 90 days", "zh": "近90天 MRR 变化"},
    "cs.measure.tenure_days": {"en": "tenure", "zh": "合作时长"},
    "cs.measure.log_mrr": {"en": "account size (MRR)", "zh": "客户规模（MRR）"},
    "cs.measure.term_months": {"en": "contract term", "zh": "合同期限"},
    "cs.measure.usage_growth": {"en": "usage growth", "zh": "使用量增长"},
    "cs.measure.seats_near_limit": {"en": "seats near the plan's limit", "zh": "席位接近套餐上限"},
    # groups, bands, tiers
    "cs.group.usage": {"en": "usage", "zh": "使用"},
    "cs.group.support": {"en": "support", "zh": "服务"},
    "cs.group.feedback": {"en": "feedback", "zh": "反馈"},
    "cs.group.billing": {"en": "billing", "zh": "账单"},
    "cs.band.red": {"en": "red", "zh": "红"},
    "cs.band.yellow": {"en": "yellow", "zh": "黄"},
    "cs.band.green": {"en": "green", "zh": "绿"},
    "cs.tier.low": {"en": "low", "zh": "低"},
    "cs.tier.mid": {"en": "middle", "zh": "中"},
    "cs.tier.high": {"en": "high", "zh": "高"},
    # actions
    "cs.action.renewal_on_track": {"en": "Standard renewal", "zh": "常规续约"},
    "cs.action.renewal_call": {"en": "Renewal call", "zh": "续约沟通"},
    "cs.action.executive_escalation": {"en": "Executive escalation and rescue plan", "zh": "高层介入与挽救计划"},
    "cs.action.adoption_review": {"en": "Adoption review", "zh": "使用情况复盘"},
    "cs.action.support_review": {"en": "Support case review", "zh": "工单问题复盘"},
    "cs.action.feedback_call": {"en": "Call about their feedback", "zh": "针对反馈回访"},
    "cs.action.pricing_review": {"en": "Plan and pricing review", "zh": "套餐与价格复核"},
    # table headers
    "cs.col.month": {"en": "Month", "zh": "月份"},
    "cs.col.customer_id": {"en": "Customer", "zh": "客户"},
    "cs.col.subscription_id": {"en": "Subscription", "zh": "订阅"},
    "cs.col.renewal_date": {"en": "Renewal date", "zh": "续约日期"},
    "cs.col.arr": {"en": "ARR", "zh": "年度经常性收入"},
    "cs.col.renewal_probability": {"en": "Renewal probability", "zh": "续约概率"},
    "cs.col.arr_at_risk": {"en": "ARR at risk", "zh": "风险 ARR"},
    "cs.col.health_score": {"en": "Health", "zh": "健康度"},
    "cs.col.health_trend": {"en": "Health change, 30 days", "zh": "30天健康度变化"},
    "cs.col.owner": {"en": "Owner", "zh": "负责人"},
    "cs.col.top_reasons": {"en": "Top reasons", "zh": "主要原因"},
    "cs.col.recommended_action": {"en": "Recommended action", "zh": "建议行动"},
    "cs.col.cohort": {"en": "Start quarter", "zh": "开始季度"},
    "cs.col.accounts": {"en": "Accounts", "zh": "客户数"},
    "cs.col.activated": {"en": "Activated", "zh": "已激活"},
    "cs.col.activation_rate": {"en": "Activation rate", "zh": "激活率"},
    "cs.col.median_days": {"en": "Median days to key event", "zh": "关键行为中位天数"},
    "cs.col.window_days": {"en": "First days", "zh": "开始后天数"},
    "cs.col.usage_tier": {"en": "Usage tier", "zh": "使用量档位"},
    "cs.col.mean_events": {"en": "Mean events", "zh": "平均事件数"},
    "cs.col.renewal_rate": {"en": "Renewal rate", "zh": "续约率"},
    "cs.col.health_band": {"en": "Health band", "zh": "健康度分档"},
    "cs.col.churned": {"en": "Churned", "zh": "流失数"},
    "cs.col.churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "cs.col.measure": {"en": "Measure", "zh": "指标"},
    "cs.col.group": {"en": "Group", "zh": "分组"},
    "cs.col.configured_share": {"en": "Configured weight", "zh": "配置权重"},
    "cs.col.learned_share": {"en": "Learned weight", "zh": "学习权重"},
    "cs.col.change_7d": {"en": "Change, 7 days", "zh": "7天变化"},
    "cs.col.change_30d": {"en": "Change, 30 days", "zh": "30天变化"},
    "cs.col.plan": {"en": "Plan", "zh": "套餐"},
    "cs.col.seats": {"en": "Seats", "zh": "席位"},
    "cs.col.seat_share": {"en": "Seats of the limit", "zh": "席位占上限比例"},
    "cs.col.usage_growth_pct": {"en": "Usage growth", "zh": "使用量增长"},
    "cs.col.propensity": {"en": "Propensity", "zh": "增购倾向"},
    "cs.col.reasons": {"en": "Reasons", "zh": "原因"},
    # charts
    "cs.chart.mrr": {"en": "MRR at each month end", "zh": "各月末 MRR"},
    "cs.chart.bridge": {"en": "Monthly MRR bridge", "zh": "月度 MRR 变动桥"},
    "cs.chart.cohorts": {"en": "Net revenue retention by start quarter", "zh": "按开始季度的净收入留存"},
    "cs.chart.band_churn": {"en": "Churn within {days} days by health band", "zh": "各健康度分档 {days} 天内流失率"},
    "cs.chart.weights": {"en": "Configured and learned weights", "zh": "配置权重与学习权重"},
    "cs.chart.renewals": {"en": "ARR due and at risk by week", "zh": "每周到期 ARR 与风险 ARR"},
    "cs.axis.mrr": {"en": "MRR", "zh": "月度经常性收入"},
    "cs.axis.arr": {"en": "ARR", "zh": "年度经常性收入"},
    "cs.axis.months_since": {"en": "Months since the quarter's end", "zh": "季度末之后月数"},
    "cs.axis.nrr": {"en": "NRR", "zh": "净收入留存"},
    "cs.axis.churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "cs.axis.weight": {"en": "Share of the weight", "zh": "权重占比"},
    "cs.axis.week": {"en": "Week of the renewal", "zh": "续约所在周"},
    "cs.legend.due": {"en": "ARR due", "zh": "到期 ARR"},
    "cs.legend.at_risk": {"en": "ARR at risk", "zh": "风险 ARR"},
    "cs.legend.configured": {"en": "Configured", "zh": "配置"},
    "cs.legend.learned": {"en": "Learned", "zh": "学习"},
}
