"""Report text of the personalization report (07_personalization)."""

ENTRIES: dict[str, dict[str, str]] = {
    # ---- recommender
    "rec.model.cosine": {"en": "Co-purchase (cosine)", "zh": "共同购买（余弦）"},
    "rec.model.lift": {"en": "Co-purchase (lift)", "zh": "共同购买（提升度）"},
    "rec.model.popularity": {"en": "Popularity baseline", "zh": "热门基线"},
    "rec.reason.popular": {"en": "popular with all customers", "zh": "全体客户热门"},
    "rec.reason.segment_popular": {"en": "popular in segment {segment}", "zh": "所在分群（{segment}）热门"},
    "rec.reason.co_purchase": {"en": "often bought with {item}", "zh": "常与{item}一起购买"},
    "rec.col.model": {"en": "Model", "zh": "模型"},
    "rec.col.hit_rate": {"en": "Hit rate", "zh": "命中率"},
    "rec.col.precision": {"en": "Precision", "zh": "精确率"},
    "rec.col.recall": {"en": "Recall", "zh": "召回率"},
    "rec.col.coverage": {"en": "Coverage", "zh": "覆盖率"},
    "rec.col.uplift": {"en": "Hit rate vs baseline", "zh": "命中率相对基线"},
    "rec.col.uplift_relative": {"en": "Hit rate vs baseline (relative change)", "zh": "命中率相对基线（相对变化）"},
    "rec.col.uplift_pp": {"en": "Hit rate vs baseline (percentage points)", "zh": "命中率相对基线（百分点）"},
    "rec.relative": {"en": "{value} relative", "zh": "相对 {value}"},
    "rec.axis.n": {"en": "Number of offers N", "zh": "推荐数 N"},
    "rec.col.antecedent": {"en": "If bought", "zh": "若购买"},
    "rec.col.consequent": {"en": "Then also", "zh": "则也购买"},
    "rec.col.support": {"en": "Support", "zh": "支持度"},
    "rec.col.confidence": {"en": "Confidence", "zh": "置信度"},
    "rec.col.lift": {"en": "Lift", "zh": "提升度"},
    "rec.col.count": {"en": "Baskets", "zh": "订单数"},
    "rec.col.segment": {"en": "Segment", "zh": "分群"},
    "rec.col.item": {"en": "Item", "zh": "推荐项"},
    "rec.col.actual": {"en": "Bought it", "zh": "实际购买占比"},
    "rec.col.expected": {"en": "Expected", "zh": "预期购买占比"},
    "rec.col.gap": {"en": "Gap", "zh": "差距"},
    "rec.col.without": {"en": "Customers without it", "zh": "尚未购买的客户数"},
    "rec.col.customer": {"en": "Customer", "zh": "客户"},
    "rec.col.rank": {"en": "Rank", "zh": "排名"},
    "rec.col.score": {"en": "Score", "zh": "得分"},
    "rec.col.reason": {"en": "Reason", "zh": "推荐理由"},
    "rec.col.because_of": {"en": "Because of", "zh": "关联项"},
    "rec.affinity_title.lift": {"en": "Lift of category pairs in the same order (1 = chance)",
                                "zh": "同一订单中品类两两组合的提升度（1 表示与随机相同）"},
    "rec.affinity_title.confidence": {"en": "Confidence of category pairs in the same order",
                                      "zh": "同一订单中品类两两组合的置信度"},
    "rec.affinity_title.support": {"en": "Support of category pairs in the same order",
                                   "zh": "同一订单中品类两两组合的支持度"},
    "rec.eval_title": {"en": "Offline evaluation on the time split", "zh": "按时间切分的离线评估"},
    "rec.intro": {
        "en": "Recommendations at **{level}** level from purchases up to {as_of}: {customers} customers, "
              "{items} items. Already-bought items are {bought}.",
        "zh": "基于截至 {as_of} 的购买记录，在**{level}**层面推荐：{customers} 位客户，{items} 个推荐项。"
              "已购买的项{bought}。"},
    "rec.level.category": {"en": "category", "zh": "品类"},
    "rec.level.product": {"en": "product", "zh": "商品"},
    "rec.bought.excluded": {"en": "excluded", "zh": "不再推荐"},
    "rec.bought.kept": {"en": "kept", "zh": "仍可推荐"},
    "rec.rules_text": {
        "en": "Pair rules over {baskets} orders. Offered are only the {offered} of {pairs} rules whose "
              "lift is above 1 (the two are bought together more often than chance) and that hold in "
              "at least {support} of the orders and {min_count} orders; confidence is the share of "
              "orders with the first that also hold the second. The chart shows the lift of every pair, "
              "the same figure as in the table.",
        "zh": "基于 {baskets} 个订单的两两关联规则。{pairs} 条规则中，只列出提升度大于 1（两者一起购买的频率高于随机）、"
              "且至少出现在 {support} 的订单和 {min_count} 个订单中的 {offered} 条；置信度是含前者的订单中同时含后者的比例。"
              "下图给出每一对品类的提升度，与表中的数值相同。"},
    "rec.no_rules": {
        "en": "Of {pairs} pair rules over {baskets} orders, none has a lift above 1 while holding in at "
              "least {support} of the orders and {min_count} orders: no pair is offered. The chart shows "
              "the lift of every pair.",
        "zh": "基于 {baskets} 个订单的 {pairs} 条两两关联规则中，没有一条提升度大于 1 且至少出现在 {support} 的订单和 "
              "{min_count} 个订单中，因此不列出规则。下图给出每一对品类的提升度。"},
    "rec.level_fallback": {
        "en": "The transactions have no {requested} column, so recommendations work at **{used}** level.",
        "zh": "交易数据中没有{requested}字段，因此在**{used}**层面推荐。"},
    "rec.no_category": {"en": "The transactions have no category, so this section is left out.",
                        "zh": "交易数据中没有品类，因此略去本部分。"},
    "rec.eval_text": {
        "en": "Models learn from purchases before {cutoff} and are judged on what {customers} customers "
              "bought from then to {end} (items new to them). Hit rate: share of customers who bought at "
              "least one of their top {n}; precision: share of the {n} that were bought; recall: share "
              "of what they bought that was recommended; coverage: share of items ever recommended.",
        "zh": "模型用 {cutoff} 之前的购买记录训练，再用 {customers} 位客户此后至 {end} 的购买（对其而言的新项）检验。"
              "命中率：前 {n} 个推荐中至少买了一个的客户占比；精确率：{n} 个推荐中被购买的比例；"
              "召回率：客户所购新项中被推荐到的比例；覆盖率：被推荐过的项占全部项的比例。"},
    "rec.eval_none": {"en": "Too little history for a time split: no evaluation.",
                      "zh": "历史数据太短，无法按时间切分评估。"},
    "rec.headline.beats": {
        "en": "{model} beats the popularity baseline on hit rate@{n}: {ours} vs {base} "
              "({diff}; {relative}).",
        "zh": "{model}的命中率@{n}高于热门基线：{ours} 对 {base}（{diff}；{relative}）。"},
    "rec.headline.not_beats": {
        "en": "{model} does not beat the popularity baseline on hit rate@{n}: {ours} vs {base} "
              "({diff}; {relative}).",
        "zh": "{model}的命中率@{n}未超过热门基线：{ours} 对 {base}（{diff}；{relative}）。"},
    "rec.headline_text": {"en": "**Result:** {text}", "zh": "**结论：**{text}"},
    "rec.cross_text": {
        "en": "Bought it: share of the segment's customers who bought the category; expected: the share "
              "their other purchases predict; gap: expected minus bought, in percentage points. The "
              "largest gaps are the cross-sell opportunities.",
        "zh": "实际购买占比：该分群中购买过该品类的客户比例；预期购买占比：按其其他购买推算的比例；差距：预期减实际，"
              "单位为百分点。差距最大的组合就是交叉销售机会。"},
    "rec.cards_text": {"en": "Customer cards for {n} customers: {which}.",
                       "zh": "以下为 {n} 位客户的客户卡片：{which}。"},
    "rec.cards_default": {"en": "the most valuable customers at risk or churned",
                          "zh": "消费最高的沉睡预警或已流失客户"},
    "rec.cards_given": {"en": "the customers chosen in the parameters", "zh": "参数中指定的客户"},
    "rec.export_text": {"en": "The top {n} recommendations of every customer ({rows} rows) are exported "
                               "for campaign tools.",
                        "zh": "每位客户的前 {n} 个推荐（共 {rows} 行）已导出，供营销工具使用。"},
    "rec.search": {"en": "Customer", "zh": "客户"},
    # ---- customer 360 card
    "profile.unknown": {"en": "No customer with id {customer_id} in this data.",
                        "zh": "数据中没有编号为 {customer_id} 的客户。"},
    "profile.title": {"en": "Customer {customer_id}", "zh": "客户 {customer_id}"},
    "profile.attributes": {"en": "Attributes", "zh": "基本信息"},
    "profile.purchases": {"en": "Purchases", "zh": "购买情况"},
    "profile.orders": {"en": "Orders", "zh": "订单数"},
    "profile.spend": {"en": "Total spend", "zh": "累计消费"},
    "profile.first": {"en": "First purchase", "zh": "首次购买"},
    "profile.last": {"en": "Last purchase", "zh": "最近购买"},
    "profile.no_purchases": {"en": "No purchases yet.", "zh": "尚无购买记录。"},
    "profile.by_category": {"en": "Spend by category", "zh": "各品类消费"},
    "profile.by_channel": {"en": "Spend by channel", "zh": "各渠道消费"},
    "profile.segment": {"en": "RFM segment", "zh": "RFM 分群"},
    "profile.tier": {"en": "Value tier", "zh": "价值层级"},
    "profile.member_tier": {"en": "Membership tier", "zh": "会员等级"},
    "profile.stage": {"en": "Lifecycle stage", "zh": "生命周期阶段"},
    "profile.clv": {"en": "Predicted value", "zh": "预测价值"},
    "profile.p_alive": {"en": "P(alive)", "zh": "存活概率"},
    "profile.churn_risk": {"en": "Churn risk", "zh": "流失风险"},
    "profile.health": {"en": "Health score", "zh": "健康分"},
    "profile.risk_reasons": {"en": "Risk drivers", "zh": "风险因素"},
    "profile.churn_action": {"en": "Retention action", "zh": "挽留措施"},
    "profile.last_nps": {"en": "Last NPS", "zh": "最近一次 NPS"},
    "profile.nps_on": {"en": "{nps} on {date}", "zh": "{nps}（{date}）"},
    "profile.sentiment": {"en": "Last comment", "zh": "最近评论情感"},
    "profile.complaints": {"en": "Complained about", "zh": "投诉类别"},
    "profile.next_offer": {"en": "Next-best offer", "zh": "下一个推荐"},
    "profile.feedback": {"en": "Feedback", "zh": "反馈"},
    "profile.no_feedback": {"en": "No feedback.", "zh": "无反馈。"},
    "profile.recommendations": {"en": "Next-best offers", "zh": "推荐商品/品类"},
    "profile.actions": {"en": "Recommended next actions", "zh": "建议的下一步行动"},
    "profile.offer_reason": {"en": "{item} ({reason})", "zh": "{item}（{reason}）"},
    "profile.action_offer": {"en": "Offer {items}.", "zh": "推荐：{items}。"},
    "profile.timeline_title": {"en": "Purchases of customer {customer_id}", "zh": "客户 {customer_id} 的购买记录"},
    "profile.amount": {"en": "Amount", "zh": "金额"},
    "profile.date": {"en": "Date", "zh": "日期"},
    "profile.score.nps": {"en": "NPS", "zh": "NPS 净推荐值"},
    "profile.score.csat": {"en": "CSAT", "zh": "CSAT 满意度"},
    "profile.score.ces": {"en": "CES", "zh": "CES 费力度"},
    "profile.value_tier.A": {"en": "A · top 20%", "zh": "A · 前20%"},
    "profile.value_tier.B": {"en": "B · next 30%", "zh": "B · 其后30%"},
    "profile.value_tier.C": {"en": "C · bottom 50%", "zh": "C · 末尾50%"},
    "profile.field.gender": {"en": "Gender", "zh": "性别"},
    "profile.field.age": {"en": "Age", "zh": "年龄"},
    "profile.field.city": {"en": "City", "zh": "城市"},
    "profile.field.region": {"en": "Region", "zh": "地区"},
    "profile.field.tier": {"en": "Membership tier", "zh": "会员等级"},
    "profile.field.signup_date": {"en": "Signed up", "zh": "注册日期"},
    "profile.field.acquisition_channel": {"en": "Acquired via", "zh": "获客渠道"},
    "profile.field.name": {"en": "Name", "zh": "姓名"},
    "profile.field.phone": {"en": "Phone", "zh": "手机"},
    "profile.field.email": {"en": "Email", "zh": "邮箱"},
}
