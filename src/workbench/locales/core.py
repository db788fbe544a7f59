"""Report text shared by every report: index page, data quality, overview, common words."""

ENTRIES: dict[str, dict[str, str]] = {
    "skip.tables": {
        "en": "{analysis} needs {wanted} in {data_dir}, which is absent or empty",
        "zh": "{analysis} 需要 {data_dir} 中的 {wanted}，该文件不存在或没有数据行"},
    "skip.columns": {
        "en": "{analysis} needs the product or category of each line ({wanted} column in "
              "{file}, or a line in mapping.yaml naming it), and {file} has neither",
        "zh": "{analysis} 需要每行的商品或品类（{file} 中的 {wanted} 列，或在 mapping.yaml 中指明），"
              "而 {file} 两者都没有"},
    # ---- report titles (topics)
    "topic.overview": {"en": "Executive overview", "zh": "经营总览"},
    "topic.data_quality": {"en": "Data quality", "zh": "数据质量"},
    "topic.segmentation": {"en": "Customer segmentation", "zh": "客户分层"},
    "topic.lifecycle": {"en": "Customer lifecycle", "zh": "客户生命周期"},
    "topic.clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "topic.churn": {"en": "Churn early warning", "zh": "流失预警"},
    "topic.feedback": {"en": "Voice of the customer", "zh": "客户之声"},
    "topic.personalization": {"en": "Customer 360 and next-best offer", "zh": "客户360与个性化推荐"},
    # ---- index page
    "index.title": {"en": "Customer operations reports", "zh": "客户运营分析报告"},
    "index.generated": {"en": "Data: {data} · as of {as_of} · generated {when}",
                        "zh": "数据：{data} · 截至 {as_of} · 生成于 {when}"},
    "index.reports": {"en": "Reports", "zh": "报告"},
    "index.kpis": {"en": "Headline figures", "zh": "核心指标"},
    "index.quality": {"en": "Data quality", "zh": "数据质量"},
    "index.open": {"en": "Open report", "zh": "打开报告"},
    "index.notebook": {"en": "Executed notebook (for analysts)", "zh": "分析师用的执行后笔记本"},
    "index.duration": {"en": "{seconds:.1f} s", "zh": "{seconds:.1f} 秒"},
    "index.no_kpis": {"en": "No headline figures: the overview did not run.",
                      "zh": "暂无核心指标：总览报告未运行。"},
    "index.warnings": {"en": "Warnings:", "zh": "警告："},
    "status.ok": {"en": "done", "zh": "完成"},
    "status.failed": {"en": "failed", "zh": "失败"},
    "status.skipped": {"en": "skipped", "zh": "已跳过"},
    "status.not_run": {"en": "not run", "zh": "未运行"},
    "dq.summary_line": {
        "en": "{rows_read} rows read, {rows_kept} kept, {rows_set_aside} set aside; "
              "{customers} customers; {date_min} to {date_max}.",
        "zh": "读取 {rows_read} 行，保留 {rows_kept} 行，剔除 {rows_set_aside} 行；"
              "客户 {customers} 位；时间范围 {date_min} 至 {date_max}。"},
    # ---- table names
    "table.transactions": {"en": "transactions", "zh": "交易"},
    "table.customers": {"en": "customers", "zh": "客户"},
    "table.feedback": {"en": "feedback", "zh": "反馈"},
    "table.events": {"en": "events", "zh": "行为事件"},
    "table.subscriptions": {"en": "subscriptions", "zh": "订阅"},
    "table.campaigns": {"en": "campaigns", "zh": "营销活动"},
    # ---- common words
    "word.customers": {"en": "Customers", "zh": "客户数"},
    "word.revenue": {"en": "Revenue", "zh": "销售额"},
    "word.orders": {"en": "Orders", "zh": "订单数"},
    "word.month": {"en": "Month", "zh": "月份"},
    "word.week": {"en": "Week", "zh": "周"},
    "word.share": {"en": "Share", "zh": "占比"},
    "word.count": {"en": "Count", "zh": "数量"},
    "word.table": {"en": "Table", "zh": "数据表"},
    "word.column": {"en": "Column", "zh": "字段"},
    "word.reason": {"en": "Reason", "zh": "原因"},
    "word.rows": {"en": "Rows", "zh": "行数"},
    "table.first_shown": {"en": "{rows} rows; the first {shown} are shown.",
                          "zh": "共 {rows} 行，显示前 {shown} 行。"},
    "word.examples": {"en": "Example rows", "zh": "示例行号"},
    "word.value": {"en": "Value", "zh": "数值"},
    "word.metric": {"en": "Metric", "zh": "指标"},
    "word.channel": {"en": "Channel", "zh": "渠道"},
    "word.all": {"en": "All", "zh": "全部"},
    "word.file": {"en": "File", "zh": "文件"},
    "word.missing": {"en": "Missing", "zh": "缺失"},
    "word.missing_share": {"en": "Missing share", "zh": "缺失率"},
    "word.yes": {"en": "yes", "zh": "是"},
    "word.no": {"en": "no", "zh": "否"},
    "skip.reason": {"en": "This report was skipped: {reason}.", "zh": "本报告已跳过：{reason}。"},
    # ---- data quality report
    "dq.intro": {
        "en": "What the loader read from **{data}**, what it kept, and what it set aside and why. "
              "Rows set aside are not lost: the reasons and example row numbers below point to "
              "them in the original files, which are never modified.",
        "zh": "本报告说明从 **{data}** 读取了哪些数据、保留了哪些、剔除了哪些以及原因。"
              "被剔除的行并未丢失：下表给出原因和原始文件中的示例行号，原始文件不会被修改。"},
    "dq.tables": {"en": "Tables read", "zh": "读取的数据表"},
    "dq.rows_read": {"en": "Rows read", "zh": "读取行数"},
    "dq.rows_kept": {"en": "Rows kept", "zh": "保留行数"},
    "dq.rows_set_aside": {"en": "Rows set aside", "zh": "剔除行数"},
    "dq.encoding": {"en": "Encoding", "zh": "编码"},
    "dq.date_range": {"en": "Date range", "zh": "时间范围"},
    "dq.set_aside_title": {"en": "Rows and values set aside", "zh": "剔除的行与值"},
    "dq.values_only": {"en": "Only the value blanked", "zh": "仅清空该值"},
    "dq.values_only.True": {"en": "only the value blanked", "zh": "仅清空该值"},
    "dq.values_only.False": {"en": "rows set aside", "zh": "整行剔除"},
    "dq.none_set_aside": {"en": "Nothing was set aside: every row passed the checks.",
                          "zh": "没有数据被剔除：所有行均通过检查。"},
    "dq.rows_chart": {"en": "Rows kept and set aside per table", "zh": "各数据表保留与剔除的行数"},
    "dq.kept": {"en": "kept", "zh": "保留"},
    "dq.set_aside": {"en": "set aside", "zh": "剔除"},
    "dq.coverage_title": {"en": "Transactions and revenue per month", "zh": "每月交易量与销售额"},
    "dq.coverage_text": {
        "en": "Transactions cover {months} months from {start} to {end}. {gaps}",
        "zh": "交易数据覆盖 {start} 至 {end}，共 {months} 个月。{gaps}"},
    "dq.gaps": {"en": "Months with no transactions: {months}.", "zh": "无交易的月份：{months}。"},
    "dq.no_gaps": {"en": "No month is missing.", "zh": "没有缺失的月份。"},
    "dq.missing_title": {"en": "Missing values by column", "zh": "各字段缺失值"},
    "dq.no_missing": {"en": "No missing values in the loaded tables.", "zh": "已加载的数据表中没有缺失值。"},
    "dq.rates_title": {"en": "Duplicates, returns and outliers", "zh": "重复、退货与异常值"},
    "dq.duplicate_rate": {"en": "Duplicate rows", "zh": "重复行占比"},
    "dq.return_rate": {"en": "Returns and cancellations (share of lines)", "zh": "退货与取消（占行数比例）"},
    "dq.return_value_rate": {"en": "Returned value (share of revenue)", "zh": "退货金额（占销售额比例）"},
    "dq.outlier_rate": {"en": "Amount outliers (beyond 3 IQR above Q3)", "zh": "金额异常值（超出Q3以上3倍IQR）"},
    "dq.zero_amount": {"en": "Zero-amount lines", "zh": "金额为零的行"},
    "dq.no_tx_customers": {"en": "Registered customers without transactions",
                           "zh": "有注册但无交易的客户"},
    "dq.unknown_customers": {"en": "Buying customers missing from the customer table",
                             "zh": "有交易但不在客户表中的客户"},
    "dq.amount_title": {"en": "Distribution of line amounts", "zh": "单行金额分布"},
    "dq.amount_x": {"en": "Amount per line (log scale)", "zh": "单行金额（对数刻度）"},
    "dq.outlier_line": {"en": "outlier threshold", "zh": "异常值阈值"},
    "dq.no_warnings": {"en": "No warnings.", "zh": "没有警告。"},
    "dq.verdict_ok": {"en": "The data is usable for the analyses.",
                      "zh": "数据可用于后续分析。"},
    "dq.unread_title": {"en": "Files not read", "zh": "未读取的文件"},
    "dq.unread_intro": {
        "en": "These files in the data folder look like tables but were not read:",
        "zh": "数据文件夹中的以下文件看起来是数据表，但未被读取："},
    "dq.all_read": {"en": "Every table file in the data folder was read.",
                    "zh": "数据文件夹中的所有数据表文件均已读取。"},
    "dq.unread.unknown_name": {
        "en": "its name matches no table ({tables}, or a known alias such as orders, sales, "
              "members, survey, nps); rename it or name it under 'files:' in mapping.yaml",
        "zh": "文件名不对应任何数据表（{tables}，或 orders、订单、会员、survey、反馈等别名）；"
              "请重命名，或在 mapping.yaml 的 files: 下指定"},
    "dq.unread.unsupported_type": {
        "en": "{suffix} files cannot be read; save it as CSV (UTF-8), .xlsx or .parquet",
        "zh": "无法读取 {suffix} 文件；请另存为 CSV（UTF-8）、.xlsx 或 .parquet"},
    # ---- warnings of the loader (workbench.io.WARNING_CODES; LoadWarning.code)
    "dq.warn.header_below_title": {
        "en": "{file}: the header is on row {row}; the {skipped} line(s) above it (a title or "
              "export notes) were skipped.",
        "zh": "{file}：表头在第 {row} 行，上方的 {skipped} 行（标题或导出说明）已跳过。"},
    "dq.warn.repeated_header": {
        "en": "{file}: two columns have the same header '{header}' (columns {first} and "
              "{second}); neither is used.",
        "zh": "{file}：第 {first} 列和第 {second} 列的表头相同（“{header}”），两列均未使用。"},
    "dq.warn.dates_ambiguous": {
        "en": "{file}: column '{column}': dates like 05/01/2024 cannot tell day from month (no "
              "value has a day above 12), so they were read month first (May 1). If they are "
              "day first, put 'dayfirst: true' under 'options:' in mapping.yaml.",
        "zh": "{file}：字段“{column}”中形如 05/01/2024 的日期无法区分日和月（没有大于 12 的日），"
              "已按月在前读取（5月1日）。如果实际是日在前，请在 mapping.yaml 的 options: 下写上 "
              "dayfirst: true。"},
    "dq.warn.dates_contradict_day_first": {
        "en": "{file}: column '{column}': most dates are written day first, but {n:,} distinct "
              "value(s) only read the other way round (e.g. {examples}); they were not used. "
              "Set 'dayfirst' under 'options:' in mapping.yaml to choose.",
        "zh": "{file}：字段“{column}”中大多数日期是日在前，但有 {n:,} 个不同的值只能按月在前读取"
              "（如 {examples}），这些值未使用。可在 mapping.yaml 的 options: 下设置 dayfirst 指定顺序。"},
    "dq.warn.dates_contradict_month_first": {
        "en": "{file}: column '{column}': most dates are written month first, but {n:,} distinct "
              "value(s) only read the other way round (e.g. {examples}); they were not used. "
              "Set 'dayfirst' under 'options:' in mapping.yaml to choose.",
        "zh": "{file}：字段“{column}”中大多数日期是月在前，但有 {n:,} 个不同的值只能按日在前读取"
              "（如 {examples}），这些值未使用。可在 mapping.yaml 的 options: 下设置 dayfirst 指定顺序。"},
    "dq.warn.no_order_id": {
        "en": "{file}: no order_id column; each row is taken as one order.",
        "zh": "{file}：没有订单号（order_id）字段，每一行视为一笔订单。"},
    "dq.warn.merged_same_day": {
        "en": "{file}: {n:,} same-day lines merged into their customer's transaction of that day "
              "(merge_same_day).",
        "zh": "{file}：{n:,} 行同一客户同一天的记录已合并为当天的一笔交易（merge_same_day）。"},
    "dq.warn.zero_amount": {
        "en": "{file}: {n:,} transactions with amount 0 kept.",
        "zh": "{file}：保留了 {n:,} 笔金额为 0 的交易。"},
    "dq.warn.cancel_pattern_ignored": {
        "en": "cancel_order_pattern {pattern} matches {share:.0%} of order ids, so it is not used "
              "to find cancellations.",
        "zh": "cancel_order_pattern {pattern} 匹配了 {share:.0%} 的订单号，因此未用于识别取消订单。"},
    "dq.warn.all_rows_set_aside": {
        "en": "{file}: all {rows_read:,} rows set aside ({reasons}); the analyses that need this "
              "table are skipped.",
        "zh": "{file}：全部 {rows_read:,} 行均被剔除（{reasons}），需要该表的分析已跳过。"},
    "dq.warn.unknown_customers": {
        "en": "{n:,} customers in transactions are missing from customers.",
        "zh": "交易表中有 {n:,} 位客户不在客户表中。"},
    "dq.warn_part.reason_rows": {"en": "{reason}: {rows:,}", "zh": "{reason}：{rows:,} 行"},
    "dq.warn_part.sep": {"en": "; ", "zh": "；"},
    "dq.explore": {"en": "Pick a table and a reason to see the affected rows.",
                   "zh": "选择数据表和原因，查看受影响的行。"},
    # ---- reasons the loader sets rows or values aside (SetAside.code)
    "reason.empty": {"en": "{column} is empty", "zh": "{column} 为空"},
    "reason.unreadable": {"en": "{column} cannot be read as {kind}", "zh": "{column} 无法识别为{kind}"},
    "reason.unreadable_value": {"en": "{column} cannot be read as {kind}; value left empty",
                                "zh": "{column} 无法识别为{kind}，该值置空"},
    "reason.check_failed": {"en": "{column} fails {check}", "zh": "{column} 未通过检查 {check}"},
    "reason.check_failed_value": {"en": "{column} fails {check}; value left empty",
                                  "zh": "{column} 未通过检查 {check}，该值置空"},
    "reason.out_of_range": {"en": "{column} outside {low}-{high}; value left empty",
                            "zh": "{column} 超出 {low}-{high} 范围，该值置空"},
    "reason.duplicate": {"en": "exact duplicate of an earlier row", "zh": "与前面某行完全重复"},
    "reason.repeated_id": {"en": "{column} repeated; the last row is kept",
                           "zh": "{column} 重复，保留最后一行"},
    "reason.missing_start": {"en": "subscription period without a start date",
                             "zh": "订阅期缺少开始日期"},
    "reason.missing_mrr": {"en": "subscription period without MRR (or ARR)",
                           "zh": "订阅期缺少月费（或年费）"},
    "reason.negative_mrr": {"en": "negative MRR", "zh": "月费为负"},
    "reason.end_before_start": {"en": "end date before the start date",
                                "zh": "结束日期早于开始日期"},
    "reason.return_negative": {"en": "negative amount: kept apart as a return",
                               "zh": "金额为负：作为退货单独保存"},
    "reason.return_status": {"en": "status marks a cancellation: kept apart",
                             "zh": "订单状态为取消/退款：单独保存"},
    "reason.return_prefix": {"en": "order id marks a cancellation: kept apart",
                             "zh": "订单号标记为取消：单独保存"},
    "reason.date_out_of_range": {
        "en": "{column} is a placeholder date outside {low}-{high} (e.g. {value}), not a real date",
        "zh": "{column} 为 {low}-{high} 年范围之外的占位日期（如 {value}），不是真实日期"},
    "reason.date_placeholder": {
        "en": "{column} is a placeholder date (e.g. {value}, meaning 'never' or 'unknown'); value left empty",
        "zh": "{column} 为占位日期（如 {value}，表示“从不”或“未知”），该值置空"},
    "reason.date_future": {
        "en": "{column} is after {limit}, in the future of the data (e.g. {value})",
        "zh": "{column} 晚于 {limit}，超出数据的合理时间范围（如 {value}）"},
    # ---- overview
    "ov.intro": {
        "en": "The customer base on {as_of}: who buys, how much and how often, and how revenue "
              "has moved over the last twelve months.",
        "zh": "截至 {as_of} 的客户概况：谁在购买、买多少、多久买一次，以及近十二个月的销售走势。"},
    "ov.kpi.customers": {"en": "Customers who bought", "zh": "购买客户数"},
    "ov.kpi.active": {"en": "Bought in the last {days} days", "zh": "近{days}天有购买的客户"},
    "ov.kpi.revenue_12m": {"en": "Revenue, last 12 months", "zh": "近12个月销售额"},
    "ov.kpi.revenue_growth": {"en": "vs previous 12 months", "zh": "较前12个月"},
    "ov.kpi.repeat_rate": {"en": "Repeat-purchase rate", "zh": "复购率"},
    "ov.kpi.aov": {"en": "Average order value", "zh": "客单价"},
    "ov.kpi.frequency": {"en": "Orders per customer (12 months)", "zh": "人均订单数（12个月）"},
    "ov.kpi.registered": {"en": "Registered customers", "zh": "注册客户数"},
    "ov.kpi.churn_rate": {"en": "Churned (contractual)", "zh": "已流失（合约）"},
    "ov.trend_title": {"en": "Monthly revenue and buying customers", "zh": "月度销售额与购买客户"},
    "ov.active_customers": {"en": "Customers buying in the month", "zh": "当月购买客户"},
    "ov.sentence.customers": {
        "en": "{customers} customers have bought; {active} of them ({active_share}) in the last {days} days.",
        "zh": "共有 {customers} 位客户购买过，其中 {active} 位（{active_share}）在近 {days} 天内有购买。"},
    "ov.sentence.revenue_up": {
        "en": "Revenue over the last 12 months was {revenue}, {growth} more than the 12 months before.",
        "zh": "近12个月销售额为 {revenue}，比前12个月增长 {growth}。"},
    "ov.sentence.revenue_down": {
        "en": "Revenue over the last 12 months was {revenue}, {growth} less than the 12 months before.",
        "zh": "近12个月销售额为 {revenue}，比前12个月下降 {growth}。"},
    "ov.sentence.revenue_new": {
        "en": "Revenue over the last 12 months was {revenue}; there is no full earlier year to compare with.",
        "zh": "近12个月销售额为 {revenue}；没有完整的上一年度可供比较。"},
    "ov.sentence.repeat": {
        "en": "{repeat_rate} of customers bought more than once; an order is worth {aov} on average.",
        "zh": "{repeat_rate} 的客户有过复购；平均每单 {aov}。"},
    "ov.channel_title": {"en": "Revenue by channel, last 12 months", "zh": "近12个月各渠道销售额"},
    "ov.domain_title": {"en": "From the analyses", "zh": "各专题要点"},
    "ov.domain_missing": {
        "en": "The {topic} analysis has not produced results in this run.",
        "zh": "本次运行中「{topic}」分析尚无结果。"},
    "ov.domain_skipped": {
        "en": "{topic}, not run on this data: {reason}.",
        "zh": "「{topic}」未在此数据上运行：{reason}。"},
    "ov.explore": {"en": "Pick a channel to redraw the trend.", "zh": "选择渠道以查看对应走势。"},
    "ov.no_transactions": {
        "en": "There are no transactions in this dataset; figures come from the customer table.",
        "zh": "此数据集没有交易记录；以下指标来自客户表。"},
}
