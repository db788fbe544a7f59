"""Report text of the customer lifetime value report (04_clv) and its charts."""

ENTRIES: dict[str, dict[str, str]] = {
    # ---- time units (plural for amounts, singular after "per")
    "clv.unit.D": {"en": "days", "zh": "天"},
    "clv.unit.W": {"en": "weeks", "zh": "周"},
    "clv.unit.M": {"en": "months", "zh": "个月"},
    "clv.unit.Y": {"en": "years", "zh": "年"},
    "clv.unit_one.D": {"en": "day", "zh": "天"},
    "clv.unit_one.W": {"en": "week", "zh": "周"},
    "clv.unit_one.M": {"en": "month", "zh": "月"},
    "clv.unit_one.Y": {"en": "year", "zh": "年"},
    "clv.horizon": {"en": "{n} {unit}", "zh": "{n}{unit}"},
    # ---- models
    "clv.model.bgnbd": {"en": "BG/NBD", "zh": "BG/NBD 模型"},
    "clv.model.paretonbd": {"en": "Pareto/NBD", "zh": "Pareto/NBD 模型"},
    "clv.model.gamma_gamma": {"en": "Gamma-Gamma (spend)", "zh": "Gamma-Gamma（单次消费）模型"},
    # ---- chart legends, axes and titles
    "clv.legend.actual": {"en": "Actual", "zh": "实际"},
    "clv.legend.model": {"en": "Model", "zh": "模型预测"},
    "clv.legend.holdout": {"en": "Holdout period", "zh": "验证期"},
    "clv.legend.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "clv.legend.value_share": {"en": "Share of expected value", "zh": "预期价值占比"},
    "clv.axis.repeat_calibration": {"en": "Repeat purchases in the calibration period",
                                    "zh": "校准期复购次数"},
    "clv.axis.repeat_to_date": {"en": "Repeat purchases to date", "zh": "截至分析日的复购次数"},
    "clv.axis.customers": {"en": "Customers", "zh": "客户数"},
    "clv.axis.repeat_transactions": {"en": "Repeat transactions", "zh": "复购交易数"},
    "clv.axis.holdout_per_customer": {"en": "Holdout transactions per customer",
                                      "zh": "验证期人均交易数"},
    "clv.axis.prob_alive": {"en": "P(alive)", "zh": "存活概率"},
    "clv.axis.frequency": {"en": "Repeat purchases (frequency)", "zh": "复购次数（频次）"},
    "clv.axis.recency": {"en": "Last purchase, {unit} after the first (recency)",
                         "zh": "末次购买距首购时长（{unit}）"},
    "clv.axis.clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "clv.axis.share_pct": {"en": "Share (%)", "zh": "占比（%）"},
    "clv.plot.fit_title": {"en": "Customers by repeat purchases: actual vs model",
                           "zh": "按复购次数统计的客户数：实际与模型"},
    "clv.plot.tracking_title": {"en": "Repeat transactions per {unit}: actual vs model",
                                "zh": "每{unit}复购交易数：实际与模型"},
    "clv.plot.tracking_cum_title": {"en": "Cumulative repeat transactions: actual vs model",
                                    "zh": "累计复购交易数：实际与模型"},
    "clv.plot.conditional_title": {"en": "Holdout transactions by calibration frequency",
                                   "zh": "按校准期复购次数统计的验证期交易"},
    "clv.plot.prob_alive_title": {
        "en": "P(alive) of customers whose first purchase was {age} {unit} ago",
        "zh": "首购距今{age}{unit}的客户的存活概率"},
    "clv.plot.distribution_title": {"en": "Customer lifetime value per customer",
                                    "zh": "客户终身价值分布"},
    "clv.plot.tiers_title": {"en": "CLV tiers: share of customers and of expected value",
                             "zh": "CLV 分层：客户占比与预期价值占比"},
    # ---- CLV tiers (codes in exports, labels in reports)
    "clv.tier.A": {"en": "A · top 10%", "zh": "A · 前10%"},
    "clv.tier.B": {"en": "B · next 20%", "zh": "B · 其后20%"},
    "clv.tier.C": {"en": "C · next 30%", "zh": "C · 再后30%"},
    "clv.tier.D": {"en": "D · bottom 40%", "zh": "D · 末尾40%"},
    # ---- table headers
    "clv.col.model": {"en": "Model", "zh": "模型"},
    "clv.col.parameter": {"en": "Parameter", "zh": "参数"},
    "clv.col.estimate": {"en": "Estimate", "zh": "估计值"},
    "clv.col.se": {"en": "Standard error", "zh": "标准误"},
    "clv.col.lower": {"en": "95% lower bound", "zh": "95%下限"},
    "clv.col.upper": {"en": "95% upper bound", "zh": "95%上限"},
    "clv.col.log_likelihood": {"en": "Log-likelihood", "zh": "对数似然"},
    "clv.col.frequency": {"en": "Repeat purchases in calibration", "zh": "校准期复购次数"},
    "clv.col.customers": {"en": "Customers", "zh": "客户数"},
    "clv.col.actual": {"en": "Actual per customer", "zh": "实际人均"},
    "clv.col.predicted": {"en": "Predicted per customer", "zh": "预测人均"},
    "clv.col.tier": {"en": "CLV tier", "zh": "CLV 分层"},
    "clv.col.customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "clv.col.clv_total": {"en": "Total CLV", "zh": "CLV 合计"},
    "clv.col.clv_mean": {"en": "Mean CLV", "zh": "平均 CLV"},
    "clv.col.value_share": {"en": "Share of value", "zh": "价值占比"},
    "clv.col.prob_alive_mean": {"en": "Mean P(alive)", "zh": "平均存活概率"},
    "clv.col.stage": {"en": "Lifecycle stage", "zh": "生命周期阶段"},
    "clv.col.customer_id": {"en": "Customer ID", "zh": "客户ID"},
    "clv.col.monetary": {"en": "Revenue to date", "zh": "累计消费"},
    "clv.col.x": {"en": "Repeat purchases", "zh": "复购次数"},
    "clv.col.last_purchase": {"en": "Last purchase", "zh": "末次购买日期"},
    "clv.col.prob_alive_before": {"en": "P(alive) 91 days earlier", "zh": "91天前存活概率"},
    "clv.col.prob_alive": {"en": "P(alive) now", "zh": "当前存活概率"},
    "clv.col.drop": {"en": "Change", "zh": "变化"},
    "clv.col.clv": {"en": "CLV", "zh": "CLV（客户终身价值）"},
    # ---- KPI cards
    "clv.kpi.predicted": {"en": "Predicted holdout transactions", "zh": "验证期预测交易数"},
    "clv.kpi.actual": {"en": "Actual holdout transactions", "zh": "验证期实际交易数"},
    "clv.kpi.mae": {"en": "Mean absolute error per customer", "zh": "人均绝对误差"},
    "clv.kpi.correlation": {"en": "Correlation, predicted vs actual", "zh": "预测与实际的相关系数"},
    "clv.kpi.customers": {"en": "Customers modelled", "zh": "建模客户数"},
    "clv.kpi.clv_total": {"en": "Expected margin, next {horizon}", "zh": "未来{horizon}预期毛利"},
    "clv.kpi.purchases": {"en": "Expected purchases, next {horizon}",
                          "zh": "未来{horizon}预期购买次数"},
    "clv.kpi.alive": {"en": "Active customers (lifecycle stage)", "zh": "活跃客户（生命周期阶段）"},
    "clv.kpi.alive_note": {"en": "{at_risk} at risk, {churned} churned",
                           "zh": "沉睡预警{at_risk}位，流失{churned}位"},
    "clv.kpi.spend": {"en": "Expected spend per purchase", "zh": "预计单次消费"},
    "clv.kpi.discounted": {"en": "discounted at {rate} a year, margin {margin}",
                           "zh": "年折现率{rate}，毛利率{margin}"},
    "clv.kpi.forecast_revenue": {"en": "Expected revenue, next {horizon}", "zh": "未来{horizon}预期消费金额"},
    "clv.kpi.forecast_note": {"en": "the {customers} existing customers only, no new customers",
                              "zh": "仅含现有的{customers}位客户，不含新客户"},
    "clv.kpi.recent_revenue": {"en": "Like for like: last {horizon}, customers who had bought before it",
                               "zh": "同口径对比：最近{horizon}中此前已购买过的客户的消费金额"},
    "clv.kpi.recent_note": {"en": "all customers {all}, of which first-time buyers of the period {new}",
                            "zh": "全部客户{all}，其中期内新客户{new}"},
    "clv.kpi.error_over": {"en": "model over by {pct}", "zh": "模型高估{pct}"},
    "clv.kpi.error_under": {"en": "model under by {pct}", "zh": "模型低估{pct}"},
    # ---- generated narrative
    "clv.intro": {
        "en": "Customer lifetime value (CLV) here is the margin each customer is expected to "
              "bring over the next **{horizon}**, discounted at {rate} a year with a gross "
              "margin of {margin}. Repeat purchases are predicted with the **{model}** model and "
              "the value of each purchase with the Gamma-Gamma model, for the {customers} "
              "customers who bought up to {as_of}. Time is measured in {unit}; purchases of one "
              "customer on one day count as one transaction.",
        "zh": "本报告中的客户终身价值（CLV）指每位客户在未来**{horizon}**内预计贡献的毛利，按年折现率"
              "{rate}折现，毛利率按{margin}计算。复购次数用**{model}**预测，每次购买的金额用 "
              "Gamma-Gamma 模型预测，对象为截至{as_of}有过购买的{customers}位客户。时间单位为{unit}；"
              "同一客户同一天的多笔购买计为一次交易。"},
    "clv.validation.auto": {
        "en": "No calibration end was set, so the model is checked automatically on the last "
              "{holdout}: it is fitted on the purchases up to {cal_end} and asked to predict the "
              "repeat purchases from {start} to {end}.",
        "zh": "未设置校准期截止日，因此自动用最后{holdout}检验模型：先用截至{cal_end}的购买数据拟合模型，"
              "再预测{start}至{end}的复购。"},
    "clv.validation.given": {
        "en": "The model is fitted on the purchases up to {cal_end} and asked to predict the "
              "repeat purchases from {start} to {end} ({holdout}).",
        "zh": "先用截至{cal_end}的购买数据拟合模型，再预测{start}至{end}（{holdout}）的复购。"},
    "clv.validation.none": {
        "en": "The data cover too short a period for a holdout check (at least {min_days} days "
              "are needed), so the model below is used without one.",
        "zh": "数据覆盖的时间太短，无法做验证期检验（至少需要{min_days}天），以下模型未经验证期检验。"},
    "clv.validation.failed": {
        "en": "The holdout check could not be run: {reason}.",
        "zh": "无法进行验证期检验：{reason}。"},
    "clv.validation.result": {
        "en": "Over the holdout the model predicted **{predicted}** repeat transactions by the "
              "{customers} customers of the calibration period; they made **{actual}** "
              "({error}). Per customer the mean absolute error is {mae} transactions, and "
              "predicted and actual counts correlate at {corr}.",
        "zh": "验证期内，模型预测校准期的{customers}位客户共复购 **{predicted}** 次，实际为 **{actual}** 次"
              "（{error}）。按客户计，平均绝对误差为{mae}次，预测值与实际值的相关系数为{corr}。"},
    "clv.error.over": {"en": "the model is {pct} too high", "zh": "模型高估{pct}"},
    "clv.error.under": {"en": "the model is {pct} too low", "zh": "模型低估{pct}"},
    "clv.models.text": {
        "en": "Both purchase models were fitted on all {customers} customers: log-likelihood "
              "{ll_bgnbd} for BG/NBD and {ll_paretonbd} for Pareto/NBD (higher fits better). "
              "The report uses **{model}**.",
        "zh": "两个购买模型都用全部{customers}位客户拟合：BG/NBD 的对数似然为{ll_bgnbd}，Pareto/NBD 为"
              "{ll_paretonbd}（越大拟合越好）。本报告采用**{model}**。"},
    "clv.models.spend": {
        "en": "The spend model was fitted on the {spend_customers} customers with repeat "
              "purchases; its population mean is {mean_spend} per purchase. Purchase frequency "
              "and mean spend correlate at {corr}: the model assumes they are independent, and "
              "a value near 0 supports that.",
        "zh": "单次消费模型用{spend_customers}位有复购的客户拟合，总体平均每次消费{mean_spend}。"
              "购买频次与平均消费的相关系数为{corr}：模型假设二者相互独立，数值接近0说明假设成立。"},
    "clv.models.nonpositive": {
        "en": "{count} repeat customers whose mean spend is zero or negative were left out of "
              "the spend model.",
        "zh": "有{count}位复购客户的平均消费为零或负数，未纳入单次消费模型。"},
    "clv.models.spend_fallback": {
        "en": "The spend model could not be fitted ({reason}); every customer is given the "
              "average transaction value, {mean_spend}.",
        "zh": "单次消费模型无法拟合（{reason}），所有客户均按平均每笔交易金额{mean_spend}计算。"},
    "clv.note.fit_warning": {
        "en": "The {model} fit needs care: {message}.",
        "zh": "{model}的拟合结果需谨慎解读：{message}。"},
    "clv.note.drift": {"en": "a parameter ran off towards 0 or infinity, so the data hardly "
                             "identify the model", "zh": "有参数趋于0或无穷大，数据难以识别该模型"},
    "clv.note.not_converged": {"en": "the optimiser did not converge", "zh": "优化未收敛"},
    "clv.note.model_failed": {
        "en": "The {model} model could not be fitted: {reason}.",
        "zh": "{model}无法拟合：{reason}。"},
    "clv.alive.text": {
        "en": "By their lifecycle stage (the rules of the lifecycle report), {active} of the "
              "{customers} customers ({share}) are active, {at_risk} are at risk and {churned} "
              "have churned. P(alive) is the model's score beside the stage, not another "
              "definition of it: on average {p_active} for active customers, {p_at_risk} for those "
              "at risk and {p_churned} for churned ones (table below). The chart shows P(alive) "
              "for customers whose first purchase was {age} {unit} ago: whoever bought often but "
              "not lately has probably left, while a customer with few purchases is not yet "
              "overdue.",
        "zh": "按生命周期阶段（生命周期报告的规则），{customers}位客户中有{active}位（{share}）活跃，"
              "{at_risk}位处于沉睡预警，{churned}位已流失。存活概率是模型给出的分数，与阶段并列，"
              "而不是另一种阶段定义：活跃客户平均为{p_active}，沉睡预警客户为{p_at_risk}，"
              "流失客户为{p_churned}（见下表）。下图展示首购距今{age}{unit}的客户的存活概率："
              "购买频繁但近期未购买的客户很可能已经流失，而购买次数少的客户还谈不上逾期未购。"},
    "clv.value.text": {
        "en": "Over the next {horizon} the customers are expected to make {purchases} "
              "purchases worth {revenue}, or **{clv}** of discounted margin (CLV). Half of the "
              "customers have a CLV below {median}; the mean is {mean}.",
        "zh": "未来{horizon}内，预计客户共购买{purchases}次，金额{revenue}，折现毛利（CLV）合计 **{clv}**。"
              "一半客户的 CLV 低于{median}，平均为{mean}。"},
    "clv.scope.text": {
        "en": "What the forecast covers: only the {customers} existing customers, those who bought "
              "up to {as_of}, over the next {horizon}. Customers who have not bought yet (new "
              "customers) are not in it. Their expected revenue, {forecast}, is not discounted; the "
              "CLV of {clv} is the margin on it, discounted at {rate} a year.",
        "zh": "预测的范围：仅包括截至{as_of}已有购买的{customers}位现有客户在未来{horizon}内的购买，"
              "不包括尚未购买的客户（新客户）。其预期消费金额{forecast}未折现；CLV {clv} 是其中的毛利，"
              "按年折现率{rate}折现。"},
    "clv.scope.compare": {
        "en": "For comparison, over the last {horizon} ({start} to {as_of}) the same customers spent "
              "{same}, and all customers {all}. Of that, {new} came from the {new_customers} customers "
              "whose first purchase fell in that period: the forecast has no such newcomers. Customers "
              "who had bought before {start} spent {existing}, the figure to set beside the forecast "
              "of {forecast}.",
        "zh": "作为对比：最近{horizon}（{start}至{as_of}），同一批客户共消费{same}，全部客户共消费{all}。"
              "其中{new}来自在此期间首次购买的{new_customers}位客户，而预测中不含这类新客户。{start}之前已有购买的客户"
              "消费{existing}，可与预测的{forecast}相比。"},
    "clv.tiers.text": {
        "en": "Tier A, the top 10% of customers by CLV, holds {share_a} of the expected value; "
              "tiers A and B together (30% of customers) hold {share_ab}.",
        "zh": "A 层（CLV 最高的前10%客户）占预期价值的{share_a}；A、B 两层合计（30%的客户）占{share_ab}。"},
    "clv.risk.text": {
        "en": "{count} high-value customers (top 20% by revenue to date) are at risk by their "
              "lifecycle stage. The first {shown} are listed by revenue (customer ID only), with "
              "their P(alive) now and 91 days earlier, for the churn team to follow up.",
        "zh": "有{count}位高价值客户（累计消费前20%）按生命周期阶段处于沉睡预警。下表按累计消费列出前"
              "{shown}位（仅显示客户ID）及其当前与91天前的存活概率，供流失预警团队跟进。"},
    "clv.risk.none": {
        "en": "No high-value customer (top 20% by revenue to date) is at risk by their lifecycle "
              "stage.",
        "zh": "没有高价值客户（累计消费前20%）按生命周期阶段处于沉睡预警。"},
    "clv.exported": {
        "en": "Per-customer results are in exports/clv.csv ({rows} rows): frequency, recency "
              "and T in {unit}, P(alive), expected purchases and spend over the horizon, CLV "
              "and CLV tier (A to D).",
        "zh": "每位客户的结果已导出至 exports/clv.csv（{rows}行）：频次、最近购买时长与客户年龄（单位："
              "{unit}）、存活概率、预测期内预计购买次数与单次消费、CLV 及 CLV 分层（A 至 D）。"},
    "clv.headline": {
        "en": "The {customers} existing customers (new customers not included) are expected to "
              "bring {clv} of discounted margin over the next {horizon}; the top 10% account for "
              "{share_a} of it.",
        "zh": "预计现有的{customers}位客户（不含新客户）在未来{horizon}内贡献折现毛利{clv}，其中前10%的客户贡献{share_a}。"},
}
