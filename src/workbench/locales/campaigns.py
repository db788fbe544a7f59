"""Report text of the campaigns report (10_campaigns): measured effect, uplift and control groups."""

ENTRIES: dict[str, dict[str, str]] = {
    "topic.campaigns": {"en": "Campaign effects and uplift", "zh": "营销活动效果评估与增益建模"},
    # ---- headings
    "camp.h.effects": {"en": "What each campaign changed", "zh": "每次活动带来了什么变化"},
    "camp.h.groups": {"en": "Whom it moved", "zh": "活动打动了哪些客户"},
    "camp.h.model": {"en": "Uplift model", "zh": "增益模型"},
    "camp.h.policy": {"en": "Whom to contact, and whom not", "zh": "该联系谁、不该联系谁"},
    "camp.h.next": {"en": "The next campaign", "zh": "下一次活动"},
    "camp.h.closing": {"en": "Planted against recovered", "zh": "预设效果与测得效果对照"},
    # ---- sentences
    "camp.note.no_log": {"en": "No campaign log was found in the data folder (campaigns.csv), so no effect "
                        "can be measured. Log each contact with its campaign, send time and arm, "
                        "and keep a random control group.",
                  "zh": "数据目录中没有活动记录（campaigns.csv），无法评估效果。请记录每次触达的活动、发送时间和分组，"
                        "并保留随机对照组。"},
    "camp.intro": {"en": "{campaigns} campaigns with {contacts} contacts. The outcome is a purchase "
                         "within {days} days after the send. Each arm is compared with its random "
                         "control group: conversion by the two-proportion z test (normal "
                         "approximation; 95% Wald interval), revenue per customer by Welch's t "
                         "test.",
                   "zh": "共 {campaigns} 次活动、{contacts} 次触达。结果指标为发送后 {days} 天内是否购买。每个实验组都与其随机对照组比较："
                         "转化率用两比例 z 检验（正态近似，95% Wald 区间），人均收入用 Welch t 检验。"},
    "camp.holm": {"en": "Campaigns with several arms: p-values adjusted by Holm's method.",
                  "zh": "含多个实验组的活动：p 值按 Holm 法做多重比较校正。"},
    "camp.arm_text": {"en": "**{campaign} / {arm}**: conversion {conversion} against {control} in "
                            "the control group, an uplift of {uplift} (95% interval {low} to "
                            "{high}; {p}); {incremental} incremental revenue, ROI {roi}.",
                      "zh": "**{campaign} / {arm}**：转化率 {conversion}，对照组 {control}，增益 {uplift}"
                            "（95% 区间 {low} 至 {high}；{p}）；增量收入 {incremental}，ROI {roi}。"},
    "camp.arm_no_control": {"en": "**{campaign} / {arm}**: conversion {conversion}; no effect can "
                                  "be measured because the campaign has no control group.",
                            "zh": "**{campaign} / {arm}**：转化率 {conversion}；该活动没有对照组，无法评估效果。"},
    "camp.note.no_control": {"en": "Campaign {campaign} has no control arm: it is described, not "
                                   "measured; without customers held out at random, no one knows "
                                   "what they would have bought anyway.",
                             "zh": "活动 {campaign} 没有对照组：只能描述，无法评估效果；没有随机留出的客户，就无法知道他们本来会买多少。"},
    "camp.note.after_as_of": {"en": "Campaign(s) {campaigns} were sent after the analysis date "
                                    "{as_of} and are left out of this report.",
                              "zh": "活动 {campaigns} 发送于分析日 {as_of} 之后，本报告未纳入。"},
    "camp.note.window_incomplete": {"en": "For campaign(s) {campaigns} the {days}-day window runs "
                                          "past the data's end: their outcomes are still coming in.",
                                    "zh": "活动 {campaigns} 的 {days} 天观察期超出了数据截止日，结果尚未完整。"},
    "camp.note.post_treatment_groups": {"en": "Segments, value tiers and stages are the run's, "
                                              "on the analysis date, after the campaigns: a "
                                              "campaign can move customers between them. The "
                                              "uplift model uses only the history before each "
                                              "send.",
                                        "zh": "分层、价值等级和生命周期阶段取自本次运行（分析日当天，即活动之后），活动本身可能改变客户所在的组。"
                                              "增益模型只使用每次发送之前的历史。"},
    "camp.note.groups_before_send": {"en": "Segments, value tiers and stages are as they were "
                                           "the day before each campaign ({days}), computed with "
                                           "the segmentation and lifecycle reports' rules: a "
                                           "campaign cannot move a customer out of the group it "
                                           "is judged in.",
                                     "zh": "分层、价值等级和生命周期阶段取自每次活动前一天（{days}），"
                                           "按客户分层和生命周期报告的同一规则计算：活动本身不会改变客户被评估时所在的组。"},
    "camp.note.model_no_history": {"en": "There are no transactions, only the outcomes in the "
                                         "campaign log: the uplift model, which learns from each "
                                         "customer's purchases before the send, is not fitted.",
                                   "zh": "没有交易数据，只有活动记录中的结果：增益模型需要每位客户发送前的购买记录，因此未建立。"},
    "camp.note.model_too_small": {"en": "{campaign} / {arm}: fewer than {minimum} customers in "
                                        "the arm or its control group, so no uplift model.",
                                  "zh": "{campaign} / {arm}：实验组或对照组不足 {minimum} 人，未建立增益模型。"},
    "camp.groups_text": {"en": "Uplift by {group} for {campaign} / {arm}, with 95% intervals. "
                               "Groups with fewer than 20 customers in an arm get no interval.",
                         "zh": "{campaign} / {arm} 按{group}的增益及 95% 区间；任一组不足 20 人的不给区间。"},
    "camp.model_text": {"en": "A {learner} on gradient boosting, cross-fitted in {folds} folds: "
                              "every customer is scored by a model that never saw them. Features "
                              "are each customer's purchases before the send.",
                        "zh": "基于梯度提升的{learner}，{folds} 折交叉拟合：每位客户都由没见过他的模型打分。特征只用发送前的购买历史。"},
    "camp.model_arm": {"en": "**{campaign} / {arm}**: Qini coefficient {qini} (bootstrap 95% "
                             "interval {low} to {high}; random targeting is 0), AUUC {auuc}; "
                             "ranking by days since the last purchase (churn risk alone) gives "
                             "{proxy}.",
                       "zh": "**{campaign} / {arm}**：Qini 系数 {qini}（自助法 95% 区间 {low} 至 {high}；随机投放为 0），"
                             "AUUC {auuc}；仅按距上次购买天数（流失风险）排序为 {proxy}。"},
    "camp.policy_text": {"en": "For {campaign} / {arm}: customers ranked by predicted uplift x "
                               "order value - {cost} per contact. Contacting the best {best} "
                               "gives the most net value, {net}.",
                         "zh": "以 {campaign} / {arm} 为例：按 预测增益 × 客单价 - 单次成本 {cost} 排序。触达前 {best} 位客户净价值最高，为 {net}。"},
    "camp.dnc_text": {"en": "{n} contacts are expected to make the customer less likely to buy "
                            "(predicted uplift below zero, and the 95% interval of similar "
                            "customers wholly below zero): the do-not-contact list, by "
                            "campaign arm {by_arm}. An arm that helps on average can still "
                            "put a few customers on it, and one that hurts puts many.",
                      "zh": "{n} 次触达预计会降低客户的购买意愿（预测增益为负，且相似客户的 95% 区间整体低于零），列入免打扰名单；按活动分组：{by_arm}。平均有效的活动也可能让少数客户入列，而有害的活动会让很多客户入列。"},
    "camp.next_text": {"en": "To detect an uplift of {mde} over a baseline conversion of {baseline} "
                             "with {power} power at alpha {alpha}: {per_arm} customers per arm "
                             "with equal arms. Of the {audience} candidates, a control group of "
                             "{control} is enough ({reached} power); drawn at random within "
                             "each segment (seed {seed}).",
                       "zh": "要在基线转化率 {baseline} 上以 {power} 的检验效能（alpha {alpha}）检出 {mde} 的增益，等分时每组需 {per_arm} 人。"
                             "{audience} 位候选客户中留出 {control} 人作对照即可（效能 {reached}），按分层随机抽取（随机种子 {seed}）。"},
    "camp.next_short": {"en": "Even an even split of the {audience} candidates reaches only "
                              "{reached} power for an uplift of {mde}: the control group is half "
                              "the audience ({control}); consider a larger audience or a larger "
                              "minimum effect.",
                        "zh": "即使把 {audience} 位候选客户对半分，检出 {mde} 增益的效能也只有 {reached}：对照组取一半（{control} 人）；"
                              "请扩大受众或放宽最小可检测效应。"},
    "camp.next_none": {"en": "No measured campaign gives a baseline conversion, so no holdout is "
                             "planned.",
                       "zh": "没有可用的已评估活动提供基线转化率，未规划对照组。"},
    "camp.save_rate": {"en": "Churn targeting and this week's action list use the measured "
                             "uplift of {campaign} / {arm} ({uplift} overall, per RFM segment) "
                             "instead of an assumed save rate.",
                       "zh": "流失挽回测算和本周行动清单使用 {campaign} / {arm} 实测的增益（整体 {uplift}，按 RFM 分层），而非假设的挽回率。"},
    "camp.headline": {"en": "{campaign} / {arm} is worth repeating: {uplift} conversion against "
                            "its control group ({low} to {high}); {dnc} customers are on the "
                            "do-not-contact list.",
                      "zh": "{campaign} / {arm} 值得复用：相对对照组转化率提升 {uplift}（{low} 至 {high}）；{dnc} 位客户列入勿扰名单。"},
    "camp.headline_none": {"en": "{n} campaign(s) logged, none with a control group to measure "
                                 "its effect against.",
                           "zh": "记录了 {n} 个活动，均没有可用于评估效果的对照组。"},
    "camp.effect.constant": {"en": "No campaign of this run measured a retention effect against a "
                                   "control group, so the save rate is the assumed {rate} (a "
                                   "parameter).",
                             "zh": "本次运行没有活动以对照组实测挽回效果，因此挽回率采用假设值 {rate}（参数）。"},
    "camp.effect.measured": {"en": "The save rate is measured, not assumed: the conversion uplift "
                                   "of {campaign} / {arm} against its control group in each "
                                   "customer's RFM segment ({low} to {high} over {segments} "
                                   "segments), and {overall}, the whole arm's, where a segment "
                                   "was too small to measure. The assumed {rate} is not used.",
                             "zh": "挽回率为实测值而非假设值：{campaign} / {arm} 相对对照组的转化增益，按客户所在 RFM 分层取值（{segments} 个分层，{low} 至 {high}）；分层人数不足时取整体增益 {overall}。未使用假设值 {rate}。"},
    "camp.effect.measured_overall": {"en": "The save rate is measured, not assumed: the "
                                           "conversion uplift of {campaign} / {arm} against its "
                                           "control group, {overall} (no segment was large "
                                           "enough to measure alone). The assumed {rate} is not "
                                           "used.",
                                     "zh": "挽回率为实测值而非假设值：{campaign} / {arm} 相对对照组的转化增益 {overall}（没有分层的人数足以单独测算）。未使用假设值 {rate}。"},
    "camp.closing_row": {"en": "{campaign} / {arm}: planted {planted}, measured {measured} "
                               "({low} to {high}).",
                         "zh": "{campaign} / {arm}：预设 {planted}，测得 {measured}（{low} 至 {high}）。"},
    # ---- learners
    "camp.learner.two_model": {"en": "two-model (T-learner) uplift model",
                               "zh": "双模型（T-learner）增益模型"},
    "camp.learner.x_learner": {"en": "X-learner", "zh": "X-learner 增益模型"},
    # ---- groups
    "camp.group.segment_cn8": {"en": "segment", "zh": "客户分层"},
    "camp.group.value_tier": {"en": "value tier", "zh": "价值等级"},
    "camp.group.stage": {"en": "lifecycle stage", "zh": "生命周期阶段"},
    "camp.group.channel": {"en": "channel", "zh": "渠道"},
    # ---- reasons
    "camp.reason.control": {"en": "control group", "zh": "对照组"},
    "camp.reason.no_control": {"en": "no control group", "zh": "无对照组"},
    "camp.reason.too_small": {"en": "too few customers", "zh": "样本过少"},
    "camp.arm.control": {"en": "control", "zh": "对照组"},
    "camp.arm.treatment": {"en": "treatment", "zh": "实验组"},
    # ---- table headers
    "camp.col.campaign": {"en": "Campaign", "zh": "活动"},
    "camp.col.arm": {"en": "Arm", "zh": "分组"},
    "camp.col.segment": {"en": "Segment", "zh": "分层"},
    "camp.col.group_value": {"en": "Group", "zh": "组别"},
    "camp.col.customers": {"en": "Customers", "zh": "客户数"},
    "camp.col.conversion": {"en": "Conversion", "zh": "转化率"},
    "camp.col.control_conversion": {"en": "Control conversion", "zh": "对照组转化率"},
    "camp.col.uplift": {"en": "Uplift", "zh": "增益"},
    "camp.col.uplift_low": {"en": "Uplift, low", "zh": "增益下限"},
    "camp.col.uplift_high": {"en": "Uplift, high", "zh": "增益上限"},
    "camp.col.p_adjusted": {"en": "p (adjusted)", "zh": "p 值（校正后）"},
    "camp.col.revenue_per_customer": {"en": "Revenue per customer", "zh": "人均收入"},
    "camp.col.incremental_revenue": {"en": "Incremental revenue", "zh": "增量收入"},
    "camp.col.cost": {"en": "Cost", "zh": "成本"},
    "camp.col.roi": {"en": "ROI", "zh": "投资回报率"},
    "camp.col.reason": {"en": "Note", "zh": "说明"},
    "camp.col.qini": {"en": "Qini coefficient", "zh": "Qini 系数"},
    "camp.col.qini_low": {"en": "Qini, low", "zh": "Qini 下限"},
    "camp.col.qini_high": {"en": "Qini, high", "zh": "Qini 上限"},
    "camp.col.auuc": {"en": "AUUC", "zh": "AUUC（增益曲线下面积）"},
    "camp.col.proxy_qini": {"en": "Qini, days since last purchase", "zh": "Qini（按距上次购买天数）"},
    "camp.col.planted": {"en": "Planted uplift", "zh": "预设增益"},
    # ---- charts
    "camp.plot.effects_title": {"en": "Uplift in conversion against control (95% interval)",
                                "zh": "相对对照组的转化率增益（95% 区间）"},
    "camp.plot.qini_title": {"en": "Qini curve: {campaign} / {arm}", "zh": "Qini 曲线：{campaign} / {arm}"},
    "camp.plot.uplift_title": {"en": "Uplift curve: {campaign} / {arm}", "zh": "增益曲线：{campaign} / {arm}"},
    "camp.plot.budget_title": {"en": "Budget curve: net incremental value by contacts",
                               "zh": "预算曲线：触达人数与净增量价值"},
    "camp.axis.uplift_pp": {"en": "Uplift (percentage points)", "zh": "增益（百分点）"},
    "camp.axis.targeted": {"en": "Customers targeted, best first", "zh": "按得分从高到低触达的客户数"},
    "camp.axis.incremental": {"en": "Incremental converters", "zh": "增量转化人数"},
    "camp.axis.contacts": {"en": "Contacts", "zh": "触达人数"},
    "camp.axis.net_value": {"en": "Net incremental value", "zh": "净增量价值"},
    "camp.legend.model": {"en": "Uplift model", "zh": "增益模型"},
    "camp.legend.proxy": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "camp.legend.random": {"en": "Random targeting", "zh": "随机投放"},
    "camp.legend.net": {"en": "Net value", "zh": "净价值"},
    "camp.legend.gross": {"en": "Incremental value before cost", "zh": "扣除成本前的增量价值"},
}
