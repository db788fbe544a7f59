"""Report text of the segmentation report (02_segmentation)."""

ENTRIES: dict[str, dict[str, str]] = {
    # ---- the Chinese 8-class scheme
    "seg.cn8.important_value": {"en": "Important value", "zh": "重要价值客户"},
    "seg.cn8.important_development": {"en": "Important development", "zh": "重要发展客户"},
    "seg.cn8.important_retention": {"en": "Important retention", "zh": "重要保持客户"},
    "seg.cn8.important_winback": {"en": "Important win-back", "zh": "重要挽留客户"},
    "seg.cn8.general_value": {"en": "General value", "zh": "一般价值客户"},
    "seg.cn8.general_development": {"en": "General development", "zh": "一般发展客户"},
    "seg.cn8.general_retention": {"en": "General retention", "zh": "一般保持客户"},
    "seg.cn8.general_winback": {"en": "General win-back", "zh": "一般挽留客户"},
    # ---- the 11-segment score scheme
    "seg.en11.champions": {"en": "Champions", "zh": "冠军客户"},
    "seg.en11.loyal": {"en": "Loyal", "zh": "忠诚客户"},
    "seg.en11.potential_loyalist": {"en": "Potential loyalist", "zh": "潜力忠诚客户"},
    "seg.en11.new": {"en": "New", "zh": "新客户"},
    "seg.en11.promising": {"en": "Promising", "zh": "有潜力的新客"},
    "seg.en11.need_attention": {"en": "Need attention", "zh": "需要关注"},
    "seg.en11.about_to_sleep": {"en": "About to sleep", "zh": "即将沉睡"},
    "seg.en11.at_risk": {"en": "At risk", "zh": "有流失风险"},
    "seg.en11.cant_lose": {"en": "Can't lose them", "zh": "不能失去的客户"},
    "seg.en11.hibernating": {"en": "Hibernating", "zh": "沉睡客户"},
    "seg.en11.lost": {"en": "Lost", "zh": "已流失"},
    # ---- one-line recommended actions
    "seg.action.important_value": {
        "en": "Keep them delighted: VIP service, early access, no blanket discounts.",
        "zh": "重点维护：专属服务、新品优先体验，避免无差别打折。"},
    "seg.action.important_development": {
        "en": "Recent big spenders who buy rarely: raise frequency with replenishment reminders and bundles.",
        "zh": "近期高消费但购买频次低：用补货提醒和组合优惠提升购买频次。"},
    "seg.action.important_retention": {
        "en": "Frequent big spenders who have gone quiet: personal outreach before they drift away.",
        "zh": "高频高消费但近期未购买：专人回访，防止流失。"},
    "seg.action.important_winback": {
        "en": "Valuable but slipping: win-back offer through the channel they last used.",
        "zh": "高价值但正在流失：通过其最近使用的渠道发送挽回优惠。"},
    "seg.action.general_value": {
        "en": "Frequent, recent, modest spend: cross-sell higher-value categories.",
        "zh": "近期常购但客单价低：交叉推荐高价值品类。"},
    "seg.action.general_development": {
        "en": "Recent, infrequent, modest spend: second-purchase incentive within 30 days.",
        "zh": "近期购买、频次低、金额低：30天内二次购买激励。"},
    "seg.action.general_retention": {
        "en": "Used to buy often, modest spend, now quiet: low-cost reminder campaigns.",
        "zh": "曾经常购、金额低、近期沉默：低成本唤醒提醒。"},
    "seg.action.general_winback": {
        "en": "Low value and inactive: include only in low-cost mass campaigns.",
        "zh": "低价值且不活跃：仅纳入低成本的大众营销。"},
    "seg.action.champions": {
        "en": "Reward them; ask for reviews and referrals; early access to new products.",
        "zh": "给予奖励，邀请评价和推荐，新品优先体验。"},
    "seg.action.loyal": {
        "en": "Upsell higher-value products; invite to the membership programme's next level.",
        "zh": "向上销售高价值商品，邀请升级会员等级。"},
    "seg.action.potential_loyalist": {
        "en": "Offer membership or loyalty benefits; recommend related products.",
        "zh": "提供会员或积分权益，推荐相关商品。"},
    "seg.action.new": {
        "en": "Onboard well: welcome series, help with the first use, no heavy discounts yet.",
        "zh": "做好新客引导：欢迎礼包、使用指导，暂不大幅打折。"},
    "seg.action.promising": {
        "en": "Build the habit: second-purchase offer and category discovery.",
        "zh": "培养习惯：二次购买优惠和品类探索推荐。"},
    "seg.action.need_attention": {
        "en": "Limited-time offers based on past purchases; reactivate before they sleep.",
        "zh": "基于历史购买推送限时优惠，在沉睡前唤醒。"},
    "seg.action.about_to_sleep": {
        "en": "Share popular products and a modest discount; reconnect now.",
        "zh": "推送热门商品和适度优惠，尽快重新建立联系。"},
    "seg.action.at_risk": {
        "en": "Personalised win-back messages and offers; ask what went wrong.",
        "zh": "个性化挽回信息和优惠，了解流失原因。"},
    "seg.action.cant_lose": {
        "en": "Win them back with the best offer and a personal call; do not let them go to a competitor.",
        "zh": "以最优惠的条件和专人电话挽回，防止转向竞争对手。"},
    "seg.action.hibernating": {
        "en": "Offer relevant products at special prices; otherwise keep contact costs low.",
        "zh": "以特价推荐相关商品，否则控制触达成本。"},
    "seg.action.lost": {
        "en": "Revive interest with a reach-out campaign; ignore if it does not respond.",
        "zh": "通过唤醒活动尝试挽回，无响应则不再投入。"},
    # ---- personas from clusters
    "persona.price_sensitive": {"en": "Price-sensitive", "zh": "价格敏感型"},
    "persona.quality_seeking": {"en": "Quality-seeking", "zh": "品质追求型"},
    "persona.omnichannel": {"en": "Omnichannel", "zh": "全渠道型"},
    "persona.loyal_regular": {"en": "Loyal regulars", "zh": "高频忠诚型"},
    "persona.dormant": {"en": "Dormant", "zh": "沉睡型"},
    "persona.newcomer": {"en": "Newcomers", "zh": "新客型"},
    "persona.small_basket": {"en": "Small-basket", "zh": "小额型"},
    "persona.occasional": {"en": "Occasional", "zh": "偶尔购买型"},
    "persona.mainstream": {"en": "Mainstream", "zh": "大众型"},
    "persona.category_lover": {"en": "{detail} lovers", "zh": "{detail}偏好型"},
    "persona.channel_lover": {"en": "{detail} shoppers", "zh": "{detail}渠道型"},
    # ---- feature names
    "feature.log_frequency": {"en": "orders", "zh": "订单数"},
    "feature.log_monetary": {"en": "spend", "zh": "消费金额"},
    "feature.log_aov": {"en": "order value", "zh": "客单价"},
    "feature.recency_days": {"en": "days since last purchase", "zh": "距上次购买天数"},
    "feature.tenure_days": {"en": "tenure", "zh": "客龄"},
    "feature.regularity": {"en": "irregularity of purchases", "zh": "购买间隔波动"},
    "feature.discount_share": {"en": "discount share", "zh": "折扣占比"},
    "feature.n_channels": {"en": "channels used", "zh": "使用渠道数"},
    "feature.channel": {"en": "{name} share", "zh": "{name}占比"},
    "feature.category": {"en": "{name} share", "zh": "{name}占比"},
    # ---- value tiers
    "tier.top": {"en": "Top {share}", "zh": "头部{share}"},
    "tier.next": {"en": "Next {share}", "zh": "其次{share}"},
    "tier.rest": {"en": "Rest ({share})", "zh": "其余{share}"},
    # ---- report
    "seg.intro": {
        "en": "{customers} customers who bought up to {as_of}, segmented three ways: by RFM "
              "(recency, frequency, monetary value), by value tier, and by behaviour clusters.",
        "zh": "截至 {as_of} 有购买记录的 {customers} 位客户，按三种方式分层：RFM（最近购买、"
              "购买频次、消费金额）、价值分级和行为聚类。"},
    "seg.col.segment": {"en": "Segment", "zh": "客户群"},
    "seg.col.customers": {"en": "Customers", "zh": "客户数"},
    "seg.col.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "seg.col.revenue_share": {"en": "Share of revenue", "zh": "销售额占比"},
    "seg.col.recency": {"en": "Avg days since last purchase", "zh": "平均距上次购买天数"},
    "seg.col.frequency": {"en": "Avg orders", "zh": "平均订单数"},
    "seg.col.monetary": {"en": "Avg spend", "zh": "平均消费金额"},
    "seg.col.action": {"en": "Recommended action", "zh": "建议动作"},
    "seg.col.tier": {"en": "Tier", "zh": "等级"},
    "seg.col.members": {"en": "Members", "zh": "会员数"},
    "seg.col.member_share": {"en": "Share of members", "zh": "会员占比"},
    "seg.col.revenue_per_member": {"en": "Revenue per member", "zh": "人均销售额"},
    "seg.col.share_and_above": {"en": "Revenue share, this level and above",
                                "zh": "本等级及以上销售额占比"},
    "seg.col.top_customers": {"en": "Top customers", "zh": "头部客户"},
    "seg.col.persona": {"en": "Persona", "zh": "客户画像"},
    "seg.col.why": {"en": "Standout features", "zh": "突出特征"},
    "seg.col.cluster": {"en": "Cluster", "zh": "群组"},
    "seg.segments_chart": {"en": "Customers and revenue by segment", "zh": "各客户群的客户数与销售额占比"},
    "seg.heatmap_title": {"en": "Average spend by R and F score", "zh": "按R、F评分的平均消费金额"},
    "seg.r_score": {"en": "R score (5 = most recent)", "zh": "R评分（5=最近购买）"},
    "seg.f_score": {"en": "F score (5 = most orders)", "zh": "F评分（5=订单最多）"},
    "seg.pareto_title": {"en": "Revenue concentration (Lorenz curve)", "zh": "销售额集中度（洛伦兹曲线）"},
    "seg.pareto_x": {"en": "Share of customers, smallest spenders first", "zh": "客户累计占比（消费从低到高）"},
    "seg.pareto_y": {"en": "Share of revenue", "zh": "销售额累计占比"},
    "seg.equality": {"en": "perfect equality", "zh": "完全平均"},
    "seg.gini_label": {"en": "Gini coefficient {gini}", "zh": "基尼系数 {gini}"},
    "seg.top20_label": {"en": "top 20% of customers → {share} of revenue",
                        "zh": "前20%客户 → 销售额的{share}"},
    "seg.col.customer": {"en": "Customer", "zh": "客户"},
    "seg.concentration": {
        "en": "The top 20% of customers bring {top20} of revenue; the Gini coefficient is {gini} "
              "(0 = everyone spends the same, 1 = one customer brings everything).",
        "zh": "前20%的客户贡献了 {top20} 的销售额；基尼系数为 {gini}（0表示人人消费相同，1表示全部来自一位客户）。"},
    "seg.membership": {
        "en": "Membership levels: {level} and above are {members} of members and bring {revenue} of revenue.",
        "zh": "会员等级：{level}及以上会员占 {members}，贡献了 {revenue} 的销售额。"},
    "seg.cluster_choice": {
        "en": "{k} behaviour clusters (chosen by silhouette {silhouette} among {tried}); "
              "stability across seeds (adjusted Rand index) {stability}.",
        "zh": "共 {k} 个行为群组（在 {tried} 中按轮廓系数 {silhouette} 选出）；不同随机种子间的稳定性（调整兰德指数）为 {stability}。"},
    "seg.cluster_map": {"en": "Behaviour clusters (2-D projection)", "zh": "行为群组（二维投影）"},
    "seg.pc1": {"en": "First principal component", "zh": "第一主成分"},
    "seg.pc2": {"en": "Second principal component", "zh": "第二主成分"},
    "seg.demographic_title": {"en": "Revenue per customer by {attribute}", "zh": "按{attribute}的人均销售额"},
    "seg.revenue_per_customer": {"en": "Revenue per customer", "zh": "人均销售额"},
    "seg.attribute.age": {"en": "age", "zh": "年龄"},
    "seg.attribute.gender": {"en": "gender", "zh": "性别"},
    "seg.attribute.city": {"en": "city", "zh": "城市"},
    "seg.attribute.region": {"en": "region", "zh": "地区"},
    "seg.attribute.tier": {"en": "membership level", "zh": "会员等级"},
    "seg.attribute.acquisition_channel": {"en": "acquisition channel", "zh": "获客渠道"},
    "seg.explore": {"en": "Pick a segment to see its top customers.", "zh": "选择客户群查看其头部客户。"},
    "seg.headline": {
        "en": "{top_segment} is the largest revenue segment ({top_share} of revenue); the top 20% of customers bring {top20}.",
        "zh": "{top_segment}是销售额最高的客户群（占 {top_share}）；前20%的客户贡献了 {top20} 的销售额。"},
    "seg.too_few": {"en": "Too few customers to cluster ({n}); clusters are skipped.",
                    "zh": "客户数太少（{n} 位），跳过聚类。"},
}
