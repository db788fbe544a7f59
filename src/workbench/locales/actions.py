"""Report text of this week's action list (08_actions)."""

ENTRIES: dict[str, dict[str, str]] = {
    "topic.actions": {"en": "This week's actions", "zh": "本周行动清单"},
    # actions
    "act.action.personal_call": {"en": "Personal call", "zh": "专人电话回访"},
    "act.action.winback_offer": {"en": "Win-back offer", "zh": "召回优惠"},
    "act.action.service_callback": {"en": "Service call-back", "zh": "服务回访"},
    "act.action.contract_offer": {"en": "Contract offer", "zh": "合约优惠"},
    "act.action.cross_sell_offer": {"en": "Cross-sell offer", "zh": "交叉销售推荐"},
    "act.action.nurture": {"en": "Nurture message", "zh": "培育触达"},
    # reasons
    "act.reason.at_risk": {"en": "Overdue for a purchase (lifecycle at risk)",
                           "zh": "超期未购（生命周期沉睡预警）"},
    "act.reason.churn_risk": {"en": "Churn risk", "zh": "流失风险"},
    "act.reason.alive_falling": {"en": "High-value customer whose P(alive) is falling",
                                 "zh": "高价值客户存活概率下降"},
    "act.reason.high_value_fading": {"en": "High-value customer with low P(alive)",
                                     "zh": "高价值客户存活概率低"},
    "act.reason.detractor": {"en": "Recent detractor (NPS 0-6)", "zh": "近期贬损者（NPS 0-6）"},
    "act.reason.complaint": {"en": "Recent complaint", "zh": "近期投诉"},
    "act.reason.next_best_offer": {"en": "Next best offer", "zh": "下一最佳推荐"},
    "act.reason.renewal_at_risk": {"en": "Renewal at risk", "zh": "续约有风险"},
    # sources
    "act.source.lifecycle": {"en": "Lifecycle", "zh": "生命周期"},
    "act.source.churn": {"en": "Churn", "zh": "流失预警"},
    "act.source.clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "act.source.feedback": {"en": "Customer feedback", "zh": "客户反馈"},
    "act.source.personalization": {"en": "Next-best offer", "zh": "个性化推荐"},
    "act.source.customer_success": {"en": "Customer success (renewals)", "zh": "客户成功（续约）"},
    # columns of the list
    "act.col.rank": {"en": "Rank", "zh": "排名"},
    "act.col.customer_id": {"en": "Customer", "zh": "客户"},
    "act.col.action": {"en": "Action", "zh": "行动"},
    "act.col.reason": {"en": "Reason", "zh": "原因"},
    "act.col.channel": {"en": "Channel", "zh": "渠道"},
    "act.col.owner": {"en": "Owner", "zh": "负责人"},
    "act.col.expected_value": {"en": "Expected value", "zh": "期望价值"},
    "act.col.source": {"en": "Triggered by", "zh": "触发分析"},
    "act.col.contacts": {"en": "Contacts", "zh": "触达人数"},
    # the rule and its factors
    "act.rule": {
        "en": "**One rule orders the list: expected value = probability of the event × value at "
              "stake × effect of the action - cost ({cost} per contact).** Each customer appears "
              "once, with the reason of highest expected value; only positive expected values "
              "are kept, highest first, at most {contacts} contacts for {start} to {end}.",
        "zh": "**清单按同一规则排序：期望价值 = 事件概率 × 涉及价值 × 行动效果 - 成本（每次触达 {cost}）。**"
              "每位客户只出现一次，取期望价值最高的原因；只保留期望价值为正的客户，从高到低排列，"
              "{start} 至 {end} 最多触达 {contacts} 人。"},
    "act.rule.assumptions": {
        "en": "Assumed effects: a retention or service contact saves {retention} of the value at "
              "stake, a nurture message {nurture}; {cross_sell} of customers take a cross-sell "
              "offer. Change them with the report's parameters.",
        "zh": "效果假设：挽留或服务触达挽回涉及价值的 {retention}，培育触达挽回 {nurture}；"
              "{cross_sell} 的客户会接受交叉销售推荐。可通过报告参数修改。"},
    "act.fcol.source": {"en": "Source", "zh": "来源"},
    "act.fcol.who": {"en": "Who", "zh": "对象"},
    "act.fcol.action": {"en": "Action", "zh": "行动"},
    "act.fcol.probability": {"en": "Probability", "zh": "概率"},
    "act.fcol.value": {"en": "Value at stake", "zh": "涉及价值"},
    "act.fcol.effect": {"en": "Effect", "zh": "效果"},
    "act.fcol.status": {"en": "In this run", "zh": "本次运行"},
    "act.who.customer_success": {"en": "renewals due with a renewal probability below {renewal_below}",
                                 "zh": "即将到期、续约概率低于 {renewal_below} 的合同"},
    "act.who.lifecycle": {"en": "lifecycle stage at risk", "zh": "生命周期阶段为沉睡预警"},
    "act.who.churn": {"en": "every customer the churn model scored", "zh": "流失模型评分的全部客户"},
    "act.who.clv": {"en": "CLV tier A or B whose P(alive) fell by at least {drop} in 91 days, "
                          "or is below {fading}",
                    "zh": "CLV 等级 A 或 B，且存活概率 91 天内下降至少 {drop}，或低于 {fading}"},
    "act.who.feedback": {"en": "in the last {days} days: NPS 0-6, or a negative comment with "
                               "complaint categories",
                         "zh": "近 {days} 天内：NPS 0-6，或带投诉类别的负面评论"},
    "act.who.personalization": {"en": "rank-1 offer of active customers",
                                "zh": "活跃客户的首位推荐"},
    "act.do.lifecycle": {"en": "win-back offer", "zh": "召回优惠"},
    "act.do.churn": {"en": "the churn report's action (call, win-back, service, contract, "
                           "nurture)",
                     "zh": "流失报告建议的行动（电话、召回、服务、合约、培育）"},
    "act.do.clv": {"en": "personal call", "zh": "专人电话回访"},
    "act.do.feedback": {"en": "service call-back", "zh": "服务回访"},
    "act.do.personalization": {"en": "cross-sell offer", "zh": "交叉销售推荐"},
    "act.do.customer_success": {"en": "account manager's renewal call", "zh": "客户经理续约沟通"},
    "act.factor.risk": {"en": "churn probability, else 1 - P(alive), else {default_risk}",
                        "zh": "流失概率，否则 1 - 存活概率，否则 {default_risk}"},
    "act.factor.stake": {"en": "value at stake (churn), else CLV, else spend to date",
                         "zh": "涉及价值（流失报告），否则 CLV，否则累计消费"},
    "act.factor.churn_probability": {"en": "churn probability", "zh": "流失概率"},
    "act.factor.value_at_stake": {"en": "value at stake", "zh": "涉及价值"},
    "act.factor.one_minus_alive": {"en": "1 - P(alive)", "zh": "1 - 存活概率"},
    "act.factor.clv": {"en": "CLV", "zh": "客户终身价值（CLV）"},
    "act.factor.one_minus_renewal": {"en": "1 - renewal probability", "zh": "1 - 续约概率"},
    "act.factor.arr": {"en": "ARR of the renewal", "zh": "续约合同的 ARR"},
    "act.factor.alive": {"en": "P(alive), else 1 - churn probability, else 1",
                         "zh": "存活概率，否则 1 - 流失概率，否则 1"},
    "act.factor.avg_spend": {"en": "expected average spend (CLV), else average order value",
                             "zh": "预期平均客单价（CLV），否则历史客单价"},
    "act.factor.effect_retention": {"en": "{retention} saved", "zh": "挽回 {retention}"},
    "act.factor.effect_renewal": {"en": "{renewal_effect} saved", "zh": "挽回 {renewal_effect}"},
    "act.measured_effect": {"en": "the uplift measured in {campaign} / {arm}, per segment,",
                            "zh": "{campaign} / {arm} 按分层实测增益"},
    "act.rule.measured_scope": {"en": "The measured uplift replaces the assumed effect of retention "
                                      "and service contacts (lifecycle, churn, CLV and feedback). "
                                      "Nurture and cross-sell messages, and customer-success "
                                      "renewal calls where the run has them, keep their assumed "
                                      "effects (the table below): no campaign measured them.",
                                "zh": "实测增益替代挽留和服务触达（生命周期、流失、CLV、反馈）的假设效果；培育、交叉销售以及（如有）客户成功的续约沟通仍用假设效果（见下表），因为没有活动测算过它们。"},
    "act.rule.assumptions_measured": {
        "en": "Assumed effects: a nurture message saves {nurture} of the value at stake; "
              "{cross_sell} of customers take a cross-sell offer. Change them with the report's "
              "parameters.",
        "zh": "效果假设：培育触达挽回涉及价值的 {nurture}；{cross_sell} 的客户接受交叉销售推荐。可通过报告参数调整。"},
    "act.factor.effect_retention_nurture": {"en": "{retention} saved (nurture {nurture})",
                                            "zh": "挽回 {retention}（培育 {nurture}）"},
    "act.factor.effect_cross_sell": {"en": "{cross_sell} take-up", "zh": "接受率 {cross_sell}"},
    "act.status.present": {"en": "{n} candidates", "zh": "{n} 位候选"},
    "act.status.absent": {"en": "absent", "zh": "缺失"},
    # narrative
    "act.absent": {"en": "No candidates from {sources}: those reports were skipped or did not run.",
                   "zh": "{sources}未提供候选客户：这些报告被跳过或未运行。"},
    "act.no_results": {"en": "No analysis of this run has results, so there is no one to propose "
                             "this week; the export holds only its header.",
                       "zh": "本次运行没有任何分析结果，本周无可推荐的触达客户；导出文件只有表头。"},
    "act.no_positive": {"en": "No candidate has a positive expected value at {cost} per contact: "
                              "the list is empty.",
                        "zh": "按每次触达 {cost} 计算，没有候选客户的期望价值为正：清单为空。"},
    "act.list.intro": {
        "en": "The first {shown} of the {contacts} customers to contact, highest expected value "
              "first. Contact details are masked here; the export holds the customer ids.",
        "zh": "待触达的 {contacts} 位客户中的前 {shown} 位，按期望价值从高到低排列。此处联系方式已脱敏，"
              "导出文件只含客户编号。"},
    "act.coverage": {
        "en": "**The {contacts} contacts capture {value} of expected value, {share} of the {total} "
              "that all {candidates} customers with a positive expected value could bring.** "
              "{held_back} customers are held back; the next 100 of them would add {next}.",
        "zh": "**这 {contacts} 次触达可获得 {value} 的期望价值，占全部 {candidates} 位期望价值为正的客户"
              "所能带来的 {total} 的 {share}。** 另有 {held_back} 位客户未列入；其中接下来的 100 位"
              "可再增加 {next}。"},
    "act.by_action": {"en": "Actions in the list", "zh": "清单中的行动"},
    "act.kpi.contacts": {"en": "Contacts this week", "zh": "本周触达"},
    "act.kpi.value": {"en": "Expected value", "zh": "期望价值"},
    "act.kpi.share": {"en": "Share of all positive value", "zh": "占全部正期望价值"},
    "act.kpi.next": {"en": "Next 100 contacts would add", "zh": "再触达100人可增加"},
    "act.kpi.budget": {"en": "budget {contacts}", "zh": "预算 {contacts} 人"},
    "act.chart.title": {"en": "Cumulative expected value by number of contacts",
                        "zh": "期望价值随触达人数累计"},
    "act.chart.x": {"en": "Contacts, highest expected value first",
                    "zh": "触达人数（按期望价值从高到低）"},
    "act.chart.y": {"en": "Cumulative expected value", "zh": "累计期望价值"},
    "act.chart.budget": {"en": "Budget: {contacts} contacts", "zh": "预算：{contacts} 人"},
    "act.headline": {"en": "{contacts} contacts this week worth {value} of expected value "
                           "({share} of all positive value).",
                     "zh": "本周触达 {contacts} 人，期望价值 {value}（占全部正期望价值的 {share}）。"},
}
