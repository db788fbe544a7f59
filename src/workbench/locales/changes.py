"""Text of "what changed since the last run": exports/changes.csv labels and the index section."""

ENTRIES: dict[str, dict[str, str]] = {
    "chg.title": {"en": "Since the last run", "zh": "与上次运行相比"},
    "chg.intro": {"en": "Compared with the run in {folder} (as of {as_of}).",
                  "zh": "对比对象：{folder} 中的运行（截至 {as_of}）。"},
    "chg.code.entered_at_risk": {"en": "Entered at risk", "zh": "新进入沉睡预警"},
    "chg.code.entered_churned": {"en": "Entered churned", "zh": "新流失"},
    "chg.code.health_fell": {"en": "High-value customer's health fell by more than {points} points",
                             "zh": "高价值客户健康分下降超过{points}分"},
    "chg.code.segment_moved": {"en": "Moved to another segment", "zh": "客户分群发生变化"},
    "chg.customers": {"en": "{n} customers", "zh": "{n} 位客户"},
    "chg.kpi.col.kpi": {"en": "KPI", "zh": "指标"},
    "chg.kpi.col.before": {"en": "Last run", "zh": "上次"},
    "chg.kpi.col.now": {"en": "This run", "zh": "本次"},
    "chg.kpi.col.change": {"en": "Change", "zh": "变化"},
    "chg.details": {"en": "One row per customer and change: exports/changes.csv",
                    "zh": "逐客户明细见 exports/changes.csv"},
}
