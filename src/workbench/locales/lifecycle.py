"""Report text of the lifecycle report (03_lifecycle)."""

ENTRIES: dict[str, dict[str, str]] = {
    "life.stage.prospect": {"en": "Prospect", "zh": "潜在客户"},
    "life.stage.new": {"en": "New", "zh": "新客"},
    "life.stage.active": {"en": "Active", "zh": "活跃"},
    "life.stage.loyal": {"en": "Loyal", "zh": "忠诚"},
    "life.stage.reactivated": {"en": "Reactivated", "zh": "回流"},
    "life.stage.at_risk": {"en": "At risk", "zh": "沉睡预警"},
    "life.stage.churned": {"en": "Churned", "zh": "流失"},
    "life.stage.newcomer": {"en": "Newcomer (not yet known)", "zh": "新进入（此前未知）"},
    "life.action.prospect": {"en": "Convert: first-order coupon and a welcome journey.",
                             "zh": "促成首单：首单优惠券和欢迎旅程。"},
    "life.action.new": {"en": "Onboard and invite a second purchase within one typical gap.",
                        "zh": "做好新客引导，在一个典型购买间隔内促成二次购买。"},
    "life.action.active": {"en": "Keep engaged: relevant recommendations, no discount needed.",
                           "zh": "保持互动：相关推荐，无需折扣。"},
    "life.action.loyal": {"en": "Reward and retain: membership perks, early access, referrals.",
                          "zh": "奖励与维系：会员权益、新品优先、邀请推荐。"},
    "life.action.reactivated": {"en": "Welcome back: make the second return purchase easy.",
                                "zh": "欢迎回归：让其回流后的再次购买更便捷。"},
    "life.action.at_risk": {
        "en": "Early warning: reach out now through their last channel with a reason to come back.",
        "zh": "预警：立即通过其最近渠道触达，给出回购理由。"},
    "life.action.churned": {
        "en": "Win back if valuable (personal offer); otherwise low-cost reactivation only.",
        "zh": "高价值者重点挽回（专属优惠），其余仅做低成本唤醒。"},
    "life.rules_title": {"en": "Stage rules used in this report", "zh": "本报告使用的阶段规则"},
    "life.rule.new": {"en": "New: first purchase within the last {days} days.",
                      "zh": "新客：首次购买在最近 {days} 天内。"},
    "life.rule.at_risk": {
        "en": "At risk: no purchase for more than {days} days (the 75th percentile of all gaps between "
              "purchases), or more than {factor} x their own average gap for customers with {gaps}+ gaps.",
        "zh": "沉睡预警：超过 {days} 天未购买（所有购买间隔的第75百分位数），若客户自身已有 {gaps} 个以上间隔，"
              "则为超过其自身平均间隔的 {factor} 倍。"},
    "life.rule.churned": {
        "en": "Churned: no purchase for more than {days} days (the 95th percentile of gaps, at least twice the at-risk threshold).",
        "zh": "流失：超过 {days} 天未购买（购买间隔的第95百分位数，且至少为预警阈值的两倍）。"},
    "life.rule.reactivated": {"en": "Reactivated: active again after a gap of more than {days} days.",
                              "zh": "回流：在超过 {days} 天的间隔之后重新活跃。"},
    "life.rule.loyal": {
        "en": "Loyal: active with at least {purchases} purchase days, or in the top {top} of active customers by spend.",
        "zh": "忠诚：活跃且至少有 {purchases} 个购买日，或消费额位于活跃客户前 {top}。"},
    "life.rule.order": {
        "en": "The first matching rule wins: churned, at risk, new, reactivated, loyal, active. A purchase exactly on the threshold day does not yet count as beyond it.",
        "zh": "按顺序取第一个符合的规则：流失、沉睡预警、新客、回流、忠诚、活跃。恰好在阈值当天的购买尚不算超过阈值。"},
    "life.now": {"en": "Customers by stage on {as_of}", "zh": "截至 {as_of} 各阶段客户数"},
    "life.area_title": {"en": "Customers by lifecycle stage, month by month", "zh": "各生命周期阶段客户数（按月）"},
    "life.from_stage": {"en": "Stage at the start", "zh": "期初阶段"},
    "life.to_stage": {"en": "Stage at the end", "zh": "期末阶段"},
    "life.transition_counts": {"en": "Stage transitions: customers", "zh": "阶段流转：客户数"},
    "life.transition_revenue": {"en": "Stage transitions: revenue in the period", "zh": "阶段流转：期间销售额"},
    "life.transition_text": {
        "en": "From {start} to {end}: {stay} of customers kept their stage; {newcomers} newcomers joined; "
              "{to_risk} moved into at risk or churned.",
        "zh": "从 {start} 到 {end}：{stay} 的客户保持原阶段；新进入 {newcomers} 位；{to_risk} 位进入沉睡预警或流失。"},
    "life.cohort": {"en": "Acquisition month", "zh": "获客月份"},
    "life.months_since": {"en": "Months since first purchase", "zh": "首次购买后的月数"},
    "life.retention_title": {"en": "Cohort retention (% buying in each month)", "zh": "同期群留存率（各月有购买的占比，%）"},
    "life.revenue_per_customer": {"en": "Cumulative revenue per customer", "zh": "人均累计销售额"},
    "life.cumulative_title": {"en": "Cumulative revenue per customer by cohort", "zh": "各同期群人均累计销售额"},
    "life.days_after_first": {"en": "Days after the first purchase", "zh": "首次购买后的天数"},
    "life.second_title": {"en": "Share who made a second purchase", "zh": "完成二次购买的客户占比"},
    "life.gap_days": {"en": "Days between purchases", "zh": "购买间隔天数"},
    "life.gap_title": {"en": "Time between purchases", "zh": "购买间隔分布"},
    "life.cohort_text": {
        "en": "On average {m1} of a cohort buys again in its second month and {m3} in its fourth; "
              "{repeat} of customers have bought more than once.",
        "zh": "平均而言，同期群中有 {m1} 的客户在第二个月再次购买，第四个月为 {m3}；{repeat} 的客户有过复购。"},
    "life.funnel_title": {"en": "Customer funnel", "zh": "客户转化漏斗"},
    "life.funnel.acquired": {"en": "Acquired", "zh": "引入"},
    "life.funnel.activated": {"en": "Activated (first purchase)", "zh": "激活（首次购买）"},
    "life.funnel.retained": {"en": "Retained (bought again)", "zh": "留存（再次购买）"},
    "life.funnel.expanded": {"en": "Expanded (2+ categories)", "zh": "扩展（购买2个以上品类）"},
    "life.warning_text": {
        "en": "{n} customers moved into at risk or churned since {previous}; they spent {spend} to date. "
              "The most valuable are listed first.",
        "zh": "自 {previous} 以来有 {n} 位客户进入沉睡预警或流失，其累计消费 {spend}。按价值从高到低列出。"},
    "life.col.customer": {"en": "Customer", "zh": "客户"},
    "life.col.stage": {"en": "Stage", "zh": "阶段"},
    "life.col.previous_stage": {"en": "Previous stage", "zh": "上期阶段"},
    "life.col.days_since_last": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "life.col.typical_gap_days": {"en": "Typical gap (days)", "zh": "典型间隔（天）"},
    "life.col.spend": {"en": "Spend to date", "zh": "累计消费"},
    "life.col.action": {"en": "Recommended action", "zh": "建议动作"},
    "life.col.share": {"en": "Share", "zh": "占比"},
    "life.col.conversion": {"en": "Conversion from previous step", "zh": "较上一步转化率"},
    "life.col.share_of_acquired": {"en": "Share of acquired", "zh": "占引入比例"},
    # ---- event types of events.csv (unknown types are shown as given, in tables only)
    "event.visit": {"en": "Visit", "zh": "访问"},
    "event.email_open": {"en": "Email opened", "zh": "打开邮件"},
    "event.coupon_claim": {"en": "Coupon claimed", "zh": "领取优惠券"},
    "event.support_ticket": {"en": "Support ticket", "zh": "客服工单"},
    "event.page_view": {"en": "Page view", "zh": "页面浏览"},
    "event.add_to_cart": {"en": "Added to cart", "zh": "加入购物车"},
    "event.login": {"en": "Login", "zh": "登录"},
    "event.sms_click": {"en": "SMS link clicked", "zh": "点击短信链接"},
    "life.explore": {"en": "Pick two snapshot dates to compare.", "zh": "选择两个快照日期进行比较。"},
    "life.headline": {
        "en": "{at_risk} customers are at risk and {churned} have churned; {m1} of a new cohort buys again in its second month.",
        "zh": "{at_risk} 位客户处于沉睡预警，{churned} 位已流失；新同期群第二个月的复购率为 {m1}。"},
}
