"""Report text of the voice-of-the-customer report (06_feedback)."""

ENTRIES: dict[str, dict[str, str]] = {
    # ---- narrative
    "fb.intro": {
        "en": "{answers} survey answers up to {as_of}, {comments} of them with a written comment.",
        "zh": "截至 {as_of} 共有 {answers} 份问卷答复，其中 {comments} 份附有文字评论。"},
    "fb.set_aside": {
        "en": "Survey values set aside by the loader (out of range or unreadable, blanked, never used): {counts}.",
        "zh": "加载时剔除的评分值（超出范围或无法识别，已置空，不参与计算）：{counts}。"},
    "fb.card_note": {"en": "Last {days} days · 95% CI {interval} · n = {n} · all time {all_time}",
                     "zh": "近 {days} 天 · 95%置信区间 {interval} · 样本 {n} · 全部时间 {all_time}"},
    "fb.points": {"en": "{value} points", "zh": "{value} 分"},
    "fb.card_negative": {"en": "{share} negative", "zh": "负面占 {share}"},
    "fb.change_significant": {
        "en": "{metric}: {previous} → {current} ({change}, 95% CI {interval}; {p}; "
              "{n_previous} → {n_current} answers, {days}-day periods). A real change.",
        "zh": "{metric}：{previous} → {current}（{change}，95%置信区间 {interval}；{p}；"
              "样本 {n_previous} → {n_current}，每期 {days} 天）。变化显著。"},
    "fb.change_noise": {
        "en": "{metric}: {previous} → {current} ({change}, 95% CI {interval}; {p}; "
              "{n_previous} → {n_current} answers, {days}-day periods). Within noise: not a change to act on.",
        "zh": "{metric}：{previous} → {current}（{change}，95%置信区间 {interval}；{p}；"
              "样本 {n_previous} → {n_current}，每期 {days} 天）。在随机波动范围内，不宜视为真实变化。"},
    "fb.change_untestable": {
        "en": "{metric}: {previous} → {current} ({change}; {n_previous} → {n_current} answers, "
              "{days}-day periods). The answers do not vary within either period, so the change cannot be tested.",
        "zh": "{metric}：{previous} → {current}（{change}；样本 {n_previous} → {n_current}，每期 {days} 天）。"
              "两期内的答复都没有差异，无法检验这一变化。"},
    "fb.change_too_few": {
        "en": "{metric}: too few answers to compare periods ({n_previous} before, {n_current} now).",
        "zh": "{metric}：答复太少，无法比较两期（上期 {n_previous}，本期 {n_current}）。"},
    "fb.sentiment_text": {
        "en": "Comments read as {positive} positive, {neutral} neutral and {negative} negative. "
              "The sentiment model (version {version}) scored {accuracy} accuracy on {n_holdout} "
              "held-out review sentences; its scores are calibrated probabilities.",
        "zh": "评论中正面占 {positive}，中性占 {neutral}，负面占 {negative}。情感模型（版本 {version}）"
              "在 {n_holdout} 条留出评论句上的准确率为 {accuracy}，输出为经过校准的概率。"},
    "fb.no_comments": {"en": "No written comments to analyse.", "zh": "没有可分析的文字评论。"},
    "fb.no_topics": {"en": "Too few comments to find topics.", "zh": "评论太少，无法提取主题。"},
    "fb.no_drivers": {"en": "Too few comments per theme to compare scores.",
                      "zh": "各主题的评论太少，无法比较评分。"},
    "fb.outcome_defined": {
        "en": "Complaints (negative comments about a theme) are not used as drivers: they are defined by "
              "the low score itself. The drivers above compare comments that mention a theme, whatever "
              "their tone.",
        "zh": "投诉（关于某一主题的负面评论）不作为影响因素：它们本身就由低分定义。上方的影响因素比较的是提及某一主题的评论"
              "（不论褒贬）与其他评论。"},
    "fb.outcome_defined_named": {
        "en": "Complaints (negative comments about a theme) are not used as drivers: they are defined by "
              "the low score itself. Left out as complaint flags: {themes}. The drivers above compare "
              "comments that mention a theme, whatever their tone.",
        "zh": "投诉（关于某一主题的负面评论）不作为影响因素：它们本身就由低分定义。未作为影响因素的投诉标记：{themes}。"
              "上方的影响因素比较的是提及某一主题的评论（不论褒贬）与其他评论。"},
    "fb.outcome_defined_none": {
        "en": "The drivers above compare comments that mention a theme, whatever their tone.",
        "zh": "上方的影响因素比较的是提及某一主题的评论（不论褒贬）与其他评论。"},
    "fb.period.latest": {"en": "Latest period: last {days} days, {start} to {end}",
                         "zh": "最近一期：近 {days} 天（{start} 至 {end}）"},
    "fb.period.all": {"en": "All time: {start} to {end}", "zh": "全部时间：{start} 至 {end}"},
    "fb.period.observed": {
        "en": "Answers from {start} to {end}, each followed by a full {days}-day window up to {as_of}",
        "zh": "{start} 至 {end} 的答复（每份答复之后均有完整的 {days} 天观察期，截至 {as_of}）"},
    "fb.period.observed_none": {"en": "No answer is followed by a full {days}-day window",
                                "zh": "没有答复之后有完整的 {days} 天观察期"},
    "fb.covers": {"en": "{period}.", "zh": "{period}。"},
    "fb.by_period": {
        "en": "The charts and tables below cover all answers up to the analysis date ({period}), not only "
              "the latest period of the score cards (NPS {all_time} over all time against {latest} in the "
              "last {days} days): in the latest period alone some groups would be small or empty.",
        "zh": "以下图表涵盖截至分析日期的全部答复（{period}），而非评分卡的最近一期（全部时间 NPS 为 {all_time}，近 {days} 天为 "
              "{latest}）：仅用最近一期的答复，部分分组样本很少甚至为空。"},
    "fb.categories_latest": {
        "en": "{period} ({comments} comments, the period of the headline).",
        "zh": "{period}，共 {comments} 条评论，即摘要所用期间。"},
    "fb.categories_all": {
        "en": "{period} ({comments} comments).",
        "zh": "{period}（{comments} 条评论）。"},
    "fb.behaviour_none": {
        "en": "Not enough answers with a full observation window to link feedback to later purchases.",
        "zh": "观察期完整的答复不足，无法关联反馈与之后的购买行为。"},
    "fb.behaviour_significant": {
        "en": "Within {days} days after answering, {detractors} of detractors bought nothing, against "
              "{promoters} of promoters ({difference}, 95% CI {interval}; {p}; "
              "{n_d} detractor and {n_p} promoter answers).",
        "zh": "答卷后 {days} 天内，贬损者中有 {detractors} 未再购买，推荐者中为 {promoters}"
              "（差 {difference}，95%置信区间 {interval}；{p}；贬损者 {n_d} 份、推荐者 {n_p} 份）。"},
    "fb.behaviour_noise": {
        "en": "Within {days} days after answering, {detractors} of detractors and {promoters} of "
              "promoters bought nothing ({difference}, 95% CI {interval}; {p}): no clear difference.",
        "zh": "答卷后 {days} 天内，贬损者中有 {detractors}、推荐者中有 {promoters} 未再购买"
              "（差 {difference}，95%置信区间 {interval}；{p}）：差异不明显。"},
    "fb.follow_up_text": {
        "en": "{n} high-value customers (top {share} by spend) were detractors or wrote a negative "
              "comment between {start} and {end} (answers at least {min_days} days old) and have neither "
              "bought nor been in contact since: call them first.",
        "zh": "{n} 位高价值客户（消费前 {share}）在 {start} 至 {end} 期间（答复至少已过 {min_days} 天）给出贬损评分或负面评论，"
              "且此后再无购买或互动：请优先回访。"},
    "fb.exported": {
        "en": "Per-answer results are in exports/feedback.csv (language, sentiment, categories, topic), "
              "one row per answer in the order of the feedback file.",
        "zh": "逐条结果见 exports/feedback.csv（语言、情感、类别、主题），每份答复一行，顺序与反馈文件一致。"},
    # ---- headline
    "fb.headline_nps": {
        "en": "NPS of the last {days} days to {end} is {value} (95% CI {low} to {high}, {n} answers), "
              "{versus}; {complaint}.",
        "zh": "截至 {end} 的近 {days} 天 NPS 为 {value}（95%置信区间 {low} 至 {high}，共 {n} 份答复），"
              "{versus}；{complaint}。"},
    "fb.headline_csat_top2": {
        "en": "{value} of customers were satisfied in the last {days} days to {end} (95% CI {low} to "
              "{high}, {n} answers), {versus}; {complaint}.",
        "zh": "截至 {end} 的近 {days} 天满意客户占 {value}（95%置信区间 {low} 至 {high}，共 {n} 份答复），"
              "{versus}；{complaint}。"},
    "fb.headline_nps_empty": {
        "en": "No NPS answers in the last {days} days to {end} (over all time NPS is {value}, {n} answers).",
        "zh": "截至 {end} 的近 {days} 天没有 NPS 答复（全部时间 NPS 为 {value}，共 {n} 份答复）。"},
    "fb.headline_csat_top2_empty": {
        "en": "No CSAT answers in the last {days} days to {end} (over all time {value} were satisfied, "
              "{n} answers).",
        "zh": "截至 {end} 的近 {days} 天没有 CSAT 答复（全部时间满意客户占 {value}，共 {n} 份答复）。"},
    "fb.versus": {"en": "{change} against the {days} days before ({previous}; {p})",
                  "zh": "较前 {days} 天（{previous}）变化 {change}（{p}）"},
    "fb.versus_none": {"en": "too few answers in the {days} days before ({n}) to compare",
                       "zh": "前 {days} 天答复太少（{n} 份），无法比较"},
    "fb.headline_comments": {"en": "{n} comments in the last {days} days to {end}; {complaint}.",
                             "zh": "截至 {end} 的近 {days} 天共 {n} 条评论；{complaint}。"},
    "fb.headline_complaint": {
        "en": "the most common complaint from {start} to {end} is {category} ({share} of that period's "
              "negative comments)",
        "zh": "{start} 至 {end} 最常见的投诉是{category}（占该期负面评论的 {share}）"},
    "fb.headline_no_complaint": {"en": "no complaint category stands out",
                                 "zh": "没有突出的投诉类别"},
    # ---- metric and group names
    "fb.metric.nps": {"en": "NPS", "zh": "NPS净推荐值"},
    "fb.metric.csat_top2": {"en": "CSAT (share 4-5)", "zh": "CSAT满意率（4-5分）"},
    "fb.metric.csat_mean": {"en": "CSAT mean (1-5)", "zh": "CSAT平均分（1-5）"},
    "fb.metric.ces_mean": {"en": "CES mean (1-7)", "zh": "CES费力度均分（1-7）"},
    "fb.metric.comments": {"en": "Comments", "zh": "文字评论"},
    "fb.nps_group.promoter": {"en": "Promoters (9-10)", "zh": "推荐者（9-10分）"},
    "fb.nps_group.passive": {"en": "Passives (7-8)", "zh": "被动者（7-8分）"},
    "fb.nps_group.detractor": {"en": "Detractors (0-6)", "zh": "贬损者（0-6分）"},
    "fb.sentiment.positive": {"en": "Positive", "zh": "正面"},
    "fb.sentiment.neutral": {"en": "Neutral", "zh": "中性"},
    "fb.sentiment.negative": {"en": "Negative", "zh": "负面"},
    "fb.language.zh": {"en": "Chinese", "zh": "中文"},
    "fb.language.en": {"en": "English", "zh": "英文"},
    "fb.language.mixed": {"en": "Mixed", "zh": "中英混合"},
    "fb.language.empty": {"en": "No words", "zh": "无文字"},
    "fb.by.segment": {"en": "NPS by RFM segment", "zh": "各RFM客户群的NPS"},
    "fb.by.channel": {"en": "NPS by survey channel", "zh": "各反馈渠道的NPS"},
    "fb.by.category": {"en": "NPS by product category", "zh": "各商品品类的NPS"},
    "fb.by.tier": {"en": "NPS by membership level", "zh": "各会员等级的NPS"},
    # ---- chart text
    "fb.chart.trend": {"en": "{metric} by month", "zh": "{metric}月度趋势"},
    "fb.chart.sentiment_hist": {"en": "Sentiment scores of comments", "zh": "评论情感得分分布"},
    "fb.chart.sentiment_by": {"en": "Comment sentiment by NPS group", "zh": "各NPS群体的评论情感"},
    "fb.chart.categories": {"en": "Complaint categories", "zh": "投诉类别"},
    "fb.chart.category_trend": {"en": "Complaint categories by quarter", "zh": "投诉类别季度趋势"},
    "fb.chart.topics": {"en": "Topics in the comments", "zh": "评论主题"},
    "fb.chart.drivers": {"en": "{metric}: comments mentioning each theme vs the others",
                         "zh": "提及与未提及各主题的评论的{metric}差异"},
    "fb.chart.churn": {"en": "No purchase after the answer", "zh": "答卷后未再购买的比例"},
    "fb.chart.spend": {"en": "Spend after the answer", "zh": "答卷后的消费金额"},
    "fb.axis.answers": {"en": "Answers", "zh": "答复数"},
    "fb.axis.interval": {"en": "95% interval", "zh": "95%置信区间"},
    "fb.axis.nps_interval": {"en": "NPS with 95% interval", "zh": "NPS及其95%置信区间"},
    "fb.axis.probability_positive": {"en": "Probability positive", "zh": "正面概率"},
    "fb.axis.comments": {"en": "Comments", "zh": "评论数"},
    "fb.axis.mentions": {"en": "Mentions", "zh": "提及次数"},
    "fb.axis.complaints": {"en": "Complaints (negative)", "zh": "投诉（负面评论）"},
    "fb.axis.share_of_negative": {"en": "Share of negative comments", "zh": "占负面评论比例"},
    "fb.axis.difference": {"en": "Difference with the theme (95% interval)", "zh": "有该主题时的差异（95%置信区间）"},
    "fb.axis.churn_rate": {"en": "No purchase within the window", "zh": "观察期内未购买比例"},
    "fb.axis.spend_after": {"en": "Spend after (¥ per answer)", "zh": "之后消费（元/每份答复）"},
    # ---- table headers
    "fb.col.group": {"en": "Group", "zh": "分组"},
    "fb.col.answers": {"en": "Answers", "zh": "答复数"},
    "fb.col.low": {"en": "95% low", "zh": "95%下限"},
    "fb.col.high": {"en": "95% high", "zh": "95%上限"},
    "fb.col.language": {"en": "Language", "zh": "语言"},
    "fb.col.positive_share": {"en": "Positive", "zh": "正面占比"},
    "fb.col.negative_share": {"en": "Negative", "zh": "负面占比"},
    "fb.col.mean_score": {"en": "Mean probability positive", "zh": "平均正面概率"},
    "fb.col.category": {"en": "Category", "zh": "类别"},
    "fb.col.complaint_share": {"en": "Share of negative comments", "zh": "占负面评论比例"},
    "fb.col.topic": {"en": "Topic", "zh": "主题"},
    "fb.col.examples": {"en": "Example comments", "zh": "评论示例"},
    "fb.col.terms": {"en": "Distinctive words", "zh": "特征词"},
    "fb.col.theme": {"en": "Theme", "zh": "主题"},
    "fb.col.n_with": {"en": "Answers with it", "zh": "涉及该主题的答复"},
    "fb.col.with_theme": {"en": "With", "zh": "涉及时"},
    "fb.col.without_theme": {"en": "Without", "zh": "未涉及时"},
    "fb.col.difference": {"en": "Difference", "zh": "差异"},
    "fb.col.p_value": {"en": "p value", "zh": "p值"},
    "fb.col.customer": {"en": "Customer", "zh": "客户ID"},
    "fb.col.tier": {"en": "Level", "zh": "会员等级"},
    "fb.col.spend": {"en": "Spend to date", "zh": "累计消费"},
    "fb.col.submitted_at": {"en": "Answered", "zh": "反馈日期"},
    "fb.col.sentiment_score": {"en": "Probability positive", "zh": "正面概率"},
    "fb.col.categories": {"en": "Categories", "zh": "问题类别"},
    "fb.col.comment": {"en": "Comment", "zh": "评论"},
    "fb.col.days_since": {"en": "Days since", "zh": "距今天数"},
    "fb.col.phone": {"en": "Phone", "zh": "手机"},
    "fb.col.email": {"en": "E-mail", "zh": "邮箱"},
    "fb.col.name": {"en": "Name", "zh": "姓名"},
}
