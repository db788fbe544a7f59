"""Customer segmentation (客户分层): RFM scores and segments, value tiers, clusters, personas.

Input is the per-customer summary of :func:`workbench.summary.customer_summary` (raw RFM
values: ``recency_days`` in days, ``frequency`` in orders, ``monetary`` in currency units) and,
for clustering, the transactions themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from workbench.charts import annotate_heatmap, axes_for, ordered_levels
from workbench.features import purchase_mix
from workbench.i18n import CATALOGUE, fmt_money_short, fmt_number, fmt_range, t
from workbench.results import RESULTS
from workbench.style import PALETTE, format_money_axis

__all__ = [
    "CN8_SEGMENTS",
    "DEMOGRAPHIC_ATTRIBUTES",
    "EN11_GRID",
    "EN11_SEGMENTS",
    "EXPORT_LABELS",
    "BehaviourClusters",
    "Segmentation",
    "age_band_labels",
    "behaviour_features",
    "concentration",
    "demographic_cuts",
    "explore_widget",
    "export_frame",
    "gini",
    "lorenz_curve",
    "membership_headline",
    "membership_summary",
    "membership_table",
    "name_personas",
    "persona_cards",
    "persona_name",
    "plot_cluster_map",
    "plot_demographic",
    "plot_lorenz",
    "plot_rfm_heatmap",
    "plot_segments",
    "rfm_scores",
    "score_quantiles",
    "segment",
    "segment_cn8",
    "segment_en11",
    "segment_profile",
    "segment_table",
    "segmentation_metrics",
    "segments_result",
    "tier_names",
    "tier_order",
    "tier_table",
    "top_share",
    "value_tiers",
    "with_attributes",
]

# ------------------------------------------------------------------------------ RFM scores


def score_quantiles(values: pd.Series, bins: int = 5, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..``bins`` by quantile of ``values``, correct under heavy ties.

    Each value gets the score of its mid-rank: ``score = floor(bins * (rank - 0.5) / n) + 1``
    with ``rank`` the average rank of the value's ties. Equal values always share a score
    (``pd.qcut`` on ranks would split them), and a value shared by 70% of customers lands on
    the score of its middle, leaving the other scores to the rest. With
    ``higher_is_better=False`` (recency in days) small values score high.
    """
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if values.isna().any():
        raise ValueError(f"{values.name or 'values'} has {int(values.isna().sum())} missing values; "
                         "RFM scores need a value for every customer")
    ranks = values.rank(method="average", ascending=higher_is_better)
    n = len(values)
    scores = np.floor(bins * (ranks.to_numpy() - 0.5) / max(n, 1)).astype(int) + 1
    return pd.Series(np.clip(scores, 1, bins), index=values.index, name=values.name)


def rfm_scores(summary: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """``customer_id``, raw R/F/M values and their 1..``bins`` scores (5 = best).

    R is scored on ``recency_days`` (fewer days since the last purchase = higher score), F on
    ``frequency`` (orders) and M on ``monetary`` (total spend).
    """
    missing = [c for c in ("customer_id", "recency_days", "frequency", "monetary") if c not in summary]
    if missing:
        raise ValueError(f"summary lacks column(s) {', '.join(missing)}; "
                         "build it with workbench.summary.customer_summary")
    out = summary[["customer_id", "recency_days", "frequency", "monetary"]].copy()
    out["r_score"] = score_quantiles(out["recency_days"], bins, higher_is_better=False)
    out["f_score"] = score_quantiles(out["frequency"], bins)
    out["m_score"] = score_quantiles(out["monetary"], bins)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------ segments

#: The Chinese 8-class RFM scheme: (R high, F high, M high) -> segment key.
CN8_SEGMENTS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",          # 重要价值客户
    (True, False, True): "important_development",   # 重要发展客户
    (False, True, True): "important_retention",     # 重要保持客户
    (False, False, True): "important_winback",      # 重要挽留客户
    (True, True, False): "general_value",           # 一般价值客户
    (True, False, False): "general_development",   # 一般发展客户
    (False, True, False): "general_retention",     # 一般保持客户
    (False, False, False): "general_winback",      # 一般挽留客户
}


def segment_cn8(rfm: pd.DataFrame, threshold: Literal["mean", "median"] = "mean") -> pd.Series:
    """The 8-class scheme: R, F and M each high or low against the base's mean (or median).

    On the raw values: R is high when the customer bought more recently than the threshold
    (``recency_days`` below it), F and M when ``frequency`` / ``monetary`` are above it.
    Returns segment keys (``important_value`` ...; names via ``t("seg.cn8.<key>")``).
    """
    if threshold not in ("mean", "median"):
        raise ValueError(f"threshold must be 'mean' or 'median', got {threshold!r}")
    cut = getattr(rfm[["recency_days", "frequency", "monetary"]], threshold)()
    r_high = rfm["recency_days"] < cut["recency_days"]
    f_high = rfm["frequency"] > cut["frequency"]
    m_high = rfm["monetary"] > cut["monetary"]
    code = r_high.astype(int) * 4 + f_high.astype(int) * 2 + m_high.astype(int)
    lookup = {r * 4 + f * 2 + m: key for (r, f, m), key in CN8_SEGMENTS.items()}
    return code.map(lookup).rename("segment_cn8")


EN11_SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "promising",
                 "need_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost")

#: en11 segment of every (R score, FM score) cell, rows R = 5..1, columns FM = 1..5, where
#: FM is the mean of the F and M scores rounded half up. Every cell has exactly one segment.
EN11_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "cant_lose", "cant_lose"),
}


def _rescale(scores: pd.Series, bins: int) -> np.ndarray:
    """Map scores 1..bins onto 1..5 so the 5x5 grid applies to any bin count."""
    if bins == 5:
        return scores.to_numpy()
    return np.clip(np.ceil(scores.to_numpy() * 5 / bins), 1, 5).astype(int)


def segment_en11(rfm: pd.DataFrame, bins: int = 5) -> pd.Series:
    """The 11-segment score scheme (Champions ... Lost) from R and FM scores (``EN11_GRID``)."""
    r = _rescale(rfm["r_score"], bins)
    fm = np.floor((_rescale(rfm["f_score"], bins) + _rescale(rfm["m_score"], bins)) / 2 + 0.5)
    fm = fm.astype(int)
    grid = np.empty((6, 6), dtype=object)
    for r_score, row in EN11_GRID.items():
        for fm_score, key in enumerate(row, start=1):
            grid[r_score, fm_score] = key
    return pd.Series(grid[r, fm], index=rfm.index, name="segment_en11")


def segment_table(rfm: pd.DataFrame, segments: pd.Series, scheme: str, lang: str = "en") -> pd.DataFrame:
    """Per segment: customers, shares of customers and revenue, mean R/F/M, recommended action."""
    frame = rfm.assign(segment=segments.to_numpy())
    total_customers, total_revenue = len(frame), frame["monetary"].sum()
    grouped = frame.groupby("segment").agg(
        customers=("customer_id", "size"), revenue=("monetary", "sum"),
        recency_days=("recency_days", "mean"), frequency=("frequency", "mean"),
        monetary=("monetary", "mean"))
    grouped["customer_share"] = grouped["customers"] / total_customers
    grouped["revenue_share"] = grouped["revenue"] / total_revenue if total_revenue else np.nan
    order = list(CN8_SEGMENTS.values()) if scheme == "cn8" else list(EN11_SEGMENTS)
    grouped = grouped.reindex([k for k in order if k in grouped.index])
    # "label", not "name": a column called "name" is personal data and reports mask it.
    grouped.insert(0, "label", [t(f"seg.{scheme}.{k}", lang) for k in grouped.index])
    grouped["action"] = [t(f"seg.action.{k}", lang) for k in grouped.index]
    return grouped.reset_index(names="segment")


# ------------------------------------------------------------------------------ value tiers


def value_tiers(values: pd.Series, cuts: Sequence[float] = (0.2, 0.5),
                labels: Sequence[str] | None = None) -> pd.Series:
    """Tier customers by value, best first: by default top 20%, next 30%, rest.

    ``cuts`` are cumulative shares of customers (ascending, in (0, 1)). Customers are ranked
    by value, highest first; equal values keep their input order, so tier sizes are exact.
    Returns labels ``A``, ``B``, ``C``, ... unless ``labels`` are given.
    """
    cuts = list(cuts)
    if not cuts or any(not 0 < c < 1 for c in cuts) or cuts != sorted(cuts):
        raise ValueError(f"cuts must be increasing shares between 0 and 1, got {cuts}")
    labels = list(labels) if labels is not None else [chr(ord("A") + i) for i in range(len(cuts) + 1)]
    if len(labels) != len(cuts) + 1:
        raise ValueError(f"{len(cuts)} cuts make {len(cuts) + 1} tiers, got {len(labels)} labels")
    order = np.argsort(-values.to_numpy(dtype=float), kind="stable")
    position = np.empty(len(values), dtype=int)
    position[order] = np.arange(len(values))
    tier_index = np.searchsorted(_top_counts(cuts, len(values)), position, side="right")
    return pd.Series(np.asarray(labels, dtype=object)[tier_index], index=values.index,
                     name="value_tier")


def lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Cumulative share of customers (smallest first) vs cumulative share of value."""
    sorted_values = np.sort(np.clip(values.to_numpy(dtype=float), 0, None))
    total = sorted_values.sum()
    n = len(sorted_values)
    customers = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    value = np.concatenate([[0.0], np.cumsum(sorted_values) / total]) if total else customers
    return pd.DataFrame({"customer_share": customers, "value_share": value})


def gini(values: pd.Series) -> float:
    """Gini coefficient of value across customers (0 = equal, 1 = one customer has it all).

    ``G = 2 * sum(i * x_(i)) / (n * sum(x)) - (n + 1) / n`` over values sorted ascending,
    negative values counted as 0.
    """
    x = np.sort(np.clip(values.to_numpy(dtype=float), 0, None))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


def _top_counts(shares: Sequence[float], n: int) -> np.ndarray:
    """How many customers the top ``share`` of ``n`` means: nearest whole customer, >= 1."""
    return np.maximum(np.floor(np.asarray(shares, dtype=float) * n + 0.5), 1).astype(int)


def top_share(values: pd.Series, share: float = 0.2) -> float:
    """Share of total value brought by the top ``share`` of customers (same count as tiers)."""
    x = np.sort(values.to_numpy(dtype=float))[::-1]
    k = int(_top_counts([share], len(x))[0])
    return float(x[:k].sum() / x.sum()) if x.sum() else 0.0


def concentration(values: pd.Series, shares: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.DataFrame:
    """"Top x% of customers bring y% of value", for each x in ``shares``."""
    return pd.DataFrame({"top_customers": list(shares),
                         "value_share": [top_share(values, s) for s in shares]})


#: Membership levels in ascending order, as retailers commonly name them.


def membership_summary(tiers: pd.Series, revenue: pd.Series,
                       order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per membership level: members, shares of members and revenue, revenue per member.

    ``tiers`` and ``revenue`` are aligned per customer (revenue 0 for members who never
    bought). Levels are listed from the lowest up (普通, 白银, 黄金, 铂金), the order of every
    chart and table, with the cumulative revenue share of "this level and above", so "gold
    and above bring over 60%" reads off one row. The order is ``order`` if given (the
    ``values:`` order of ``mapping.yaml``), else that of an ordered categorical ``tiers``, else
    a known naming (:data:`workbench.charts.KNOWN_LADDERS`), else revenue per member; a
    missing level ("–") comes last.
    """
    if order is None and isinstance(tiers.dtype, pd.CategoricalDtype) and tiers.cat.ordered:
        order = [str(c) for c in tiers.cat.categories]
    frame = pd.DataFrame({"tier": tiers.astype(object).where(tiers.notna(), "–").astype(str).to_numpy(),
                          "revenue": revenue.fillna(0).to_numpy(dtype=float)})
    grouped = frame.groupby("tier").agg(members=("revenue", "size"), revenue=("revenue", "sum"))
    grouped["revenue_per_member"] = grouped["revenue"] / grouped["members"]
    levels = ordered_levels(grouped.index, None if order is None else [str(o) for o in order])
    if levels is None:
        known = grouped.drop(index="–", errors="ignore")
        levels = list(known.sort_values("revenue_per_member").index)
        levels += ["–"] if "–" in grouped.index else []
    grouped = grouped.reindex(levels)
    grouped["member_share"] = grouped["members"] / grouped["members"].sum()
    total = grouped["revenue"].sum()
    grouped["revenue_share"] = grouped["revenue"] / total if total else np.nan
    ranked = grouped.drop(index="–", errors="ignore")
    grouped["revenue_share_and_above"] = ranked["revenue_share"][::-1].cumsum()[::-1]
    return grouped.reset_index()


def tier_order(dataset: Any) -> list[str] | None:
    """The membership order the data gives, lowest first, or None.

    Read from an ordered categorical ``tier`` column, or from the loader's record of the
    ``values:`` order in ``mapping.yaml`` (``dataset.value_orders["tier"]``) where it keeps one.
    """
    customers = getattr(dataset, "customers", None)
    if customers is not None and "tier" in customers:
        column = customers["tier"]
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.ordered:
            return [str(c) for c in column.cat.categories]
    orders = getattr(dataset, "value_orders", None) or {}
    found = orders.get("tier") if isinstance(orders, dict) else None
    if found is None and isinstance(orders, dict):
        found = (orders.get("customers") or {}).get("tier") if isinstance(orders.get("customers"), dict) else None
    return [str(v) for v in dict.fromkeys(found)] if found else None


# ------------------------------------------------------------------------------ clusters


def behaviour_features(transactions: pd.DataFrame, summary: pd.DataFrame,
                       *, max_categories: int = 8) -> pd.DataFrame:
    """Per-customer behaviour features for clustering, indexed by ``customer_id``.

    Always: ``log_frequency`` (log 1 + orders), ``log_monetary``, ``log_aov`` (average order
    value), ``recency_days``, ``tenure_days`` (first purchase to as_of), ``regularity``
    (coefficient of variation of the gaps between purchase days; 1 when fewer than 3
    purchase days). Where the columns exist: ``discount_share`` (discount / (amount +
    discount)), ``n_channels``, ``channel:<name>`` and ``category:<name>`` spend shares (the
    ``max_categories`` largest categories).
    """
    s = summary.set_index("customer_id")
    as_of = pd.Timestamp(summary.attrs.get("as_of", s["last_purchase"].max()))
    features = pd.DataFrame(index=s.index)
    features["log_frequency"] = np.log1p(s["frequency"])
    features["log_monetary"] = np.log1p(s["monetary"].clip(lower=0))
    features["log_aov"] = np.log1p(s["avg_order_value"].clip(lower=0))
    features["recency_days"] = s["recency_days"].astype(float)
    features["tenure_days"] = (as_of - s["first_purchase"]).dt.days.astype(float)
    tx = transactions[transactions["customer_id"].isin(s.index)]
    days = (tx[["customer_id"]].assign(day=tx["order_date"].dt.normalize())
            .drop_duplicates().sort_values(["customer_id", "day"]))
    gaps = days.groupby("customer_id")["day"].diff().dt.days
    stats = gaps.groupby(days["customer_id"]).agg(["mean", "std", "count"])
    cv = (stats["std"] / stats["mean"]).where(stats["count"] >= 2)
    features["regularity"] = cv.reindex(features.index).fillna(1.0)
    mix = purchase_mix(tx, max_categories=max_categories)
    features = features.join(mix).fillna({c: 0.0 for c in mix.columns})
    return features.astype(float)


class BehaviourClusters:
    """KMeans (or Gaussian mixture) clusters on scaled behaviour features.

    The number of clusters is chosen by silhouette over ``k_range`` (on a sample of at most
    ``silhouette_sample`` customers, so a million customers take seconds; the models are fitted
    on at most ``fit_sample`` customers and then label everyone), and stability is the mean
    adjusted Rand index between the chosen model and refits with ``n_stability_seeds`` other
    seeds. Fitted attributes: ``k_``, ``silhouette_``, ``scores_`` (k -> silhouette),
    ``stability_``, ``labels_``, ``profile_`` (feature means per cluster), ``z_means_``.
    """

    def __init__(self, k_range: Sequence[int] = (3, 4, 5, 6, 7, 8),
                 method: Literal["kmeans", "gmm"] = "kmeans", silhouette_sample: int = 10_000,
                 fit_sample: int = 200_000, n_stability_seeds: int = 4, random_state: int = 0):
        self.k_range = k_range
        self.method = method
        self.silhouette_sample = silhouette_sample
        self.fit_sample = fit_sample
        self.n_stability_seeds = n_stability_seeds
        self.random_state = random_state

    def _model(self, k: int, seed: int) -> Any:
        if self.method == "gmm":
            return GaussianMixture(n_components=k, covariance_type="diag", random_state=seed)
        return KMeans(n_clusters=k, n_init=3, random_state=seed)

    def fit(self, features: pd.DataFrame, reliable: pd.Series | np.ndarray | None = None
            ) -> BehaviourClusters:
        """Choose k, fit, and label every customer.

        ``reliable`` marks the customers whose features are trustworthy enough to shape the
        clusters (e.g. at least 3 orders: one order's category mix is mostly chance); the
        others are assigned to the nearest cluster. Default: everyone.
        """
        if self.method not in ("kmeans", "gmm"):
            raise ValueError(f"method must be 'kmeans' or 'gmm', got {self.method!r}")
        mask = np.ones(len(features), bool) if reliable is None else np.asarray(reliable, bool)
        if mask.sum() < max(self.k_range) + 1:
            mask = np.ones(len(features), bool)  # too few with long histories: use everyone
        if len(features) < max(self.k_range) + 1:
            raise ValueError(f"clustering needs more than {max(self.k_range)} customers, "
                             f"got {len(features)}")
        rng = np.random.default_rng(self.random_state)
        self.feature_names_ = list(features.columns)
        self.scaler_ = StandardScaler().fit(features.to_numpy()[mask])
        scaled = self.scaler_.transform(features.to_numpy())
        candidates = np.flatnonzero(mask)
        fit_rows = (rng.choice(candidates, self.fit_sample, replace=False)
                    if len(candidates) > self.fit_sample else candidates)
        sil_rows = (rng.choice(candidates, self.silhouette_sample, replace=False)
                    if len(candidates) > self.silhouette_sample else candidates)
        self.n_fitted_on_ = int(mask.sum())
        self.scores_ = {}
        models = {}
        for k in self.k_range:
            model = self._model(k, self.random_state).fit(scaled[fit_rows])
            labels = model.predict(scaled[sil_rows])
            if len(np.unique(labels)) < 2:
                continue
            self.scores_[k] = float(silhouette_score(scaled[sil_rows], labels,
                                                     random_state=self.random_state))
            models[k] = model
        if not self.scores_:
            raise ValueError("no number of clusters gave two or more distinct groups")
        self.k_ = max(self.scores_, key=self.scores_.get)
        self.silhouette_ = self.scores_[self.k_]
        self.model_ = models[self.k_]
        reference = self.model_.predict(scaled[sil_rows])
        seeds = [self.random_state + i + 1 for i in range(self.n_stability_seeds)]
        self.stability_ = float(np.mean([
            adjusted_rand_score(reference, self._model(self.k_, s).fit(scaled[fit_rows])
                                .predict(scaled[sil_rows]))
            for s in seeds])) if seeds else float("nan")
        self.labels_ = pd.Series(self.model_.predict(scaled), index=features.index, name="cluster")
        self.profile_ = self._profile(features, scaled)
        self.embedding_ = PCA(n_components=2, random_state=self.random_state).fit(scaled[fit_rows])
        return self

    def _profile(self, features: pd.DataFrame, scaled: np.ndarray) -> pd.DataFrame:
        means = features.groupby(self.labels_.to_numpy()).mean()
        z = pd.DataFrame(scaled, index=features.index, columns=features.columns)
        self.z_means_ = z.groupby(self.labels_.to_numpy()).mean()
        means.insert(0, "customers", self.labels_.value_counts().sort_index())
        return means

    def project(self, features: pd.DataFrame) -> np.ndarray:
        """2-D PCA coordinates of customers, for the cluster map."""
        return self.embedding_.transform(self.scaler_.transform(features.to_numpy()))


#: Persona rules: (feature, sign) -> persona key; the first rule matching one of a cluster's
#: strongest standout features (|z| of the cluster mean >= 0.5) names it.
PERSONA_RULES: tuple[tuple[str, int, str], ...] = (
    ("discount_share", +1, "price_sensitive"),
    ("log_aov", +1, "quality_seeking"),
    ("n_channels", +1, "omnichannel"),
    ("log_frequency", +1, "loyal_regular"),
    ("recency_days", +1, "dormant"),
    ("tenure_days", -1, "newcomer"),
    ("log_aov", -1, "small_basket"),
    ("log_frequency", -1, "occasional"),
)


def name_personas(clusters: BehaviourClusters, lang: str = "en", *, min_z: float = 0.5,
                  rule_tolerance: float = 0.8) -> pd.DataFrame:
    """An explainable persona per cluster from its standout features: a code and a name in ``lang``.

    For each cluster the features are ranked by |z| (the cluster mean in standard deviations
    of the base). A behavioural rule (``PERSONA_RULES``: discount share -> price-sensitive,
    order value -> quality-seeking, ...) names the cluster when its feature stands out by at
    least ``min_z`` and ``rule_tolerance`` times the strongest feature; otherwise the strongest
    category or channel share names it ("<category> lovers"); otherwise "mainstream". ``why``
    lists the three strongest features with their direction.

    ``persona_code`` is the same in every language: the rule's key (``price_sensitive``) or,
    for a cluster named by a category or channel, ``category_lover:<category>`` with the
    category as the data gives it; ``persona`` is the name in ``lang``. Clusters that share a
    code are numbered in both (``price_sensitive_2``, "Price-sensitive 2").
    """
    rules = {(f, s): p for f, s, p in PERSONA_RULES}
    rows = []
    for cluster, z in clusters.z_means_.iterrows():
        ranked = z.reindex(z.abs().sort_values(ascending=False).index)
        strongest = float(ranked.abs().iloc[0]) if len(ranked) else 0.0
        floor = max(min_z, rule_tolerance * strongest)
        key, detail = "mainstream", ""
        by_rule = [rules[(f, 1 if v > 0 else -1)] for f, v in ranked.items()
                   if abs(v) >= floor and (f, 1 if v > 0 else -1) in rules]
        if by_rule:
            key = by_rule[0]
        else:
            for feature, value in ranked.items():
                if abs(value) < min_z:
                    break
                if value > 0 and feature.startswith(("category:", "channel:")):
                    kind, detail = feature.split(":", 1)
                    key = f"{kind}_lover"
                    break
        why = ", ".join(
            f"{_feature_label(f, lang)} {'↑' if v > 0 else '↓'}{abs(v):.1f}σ"
            for f, v in ranked.head(3).items())
        rows.append({"cluster": int(cluster), "persona_key": key,
                     "persona_code": f"{key}:{detail}" if detail else key, "why": why})
    frame = pd.DataFrame(rows, columns=["cluster", "persona_key", "persona_code", "why"])
    counts = (frame.groupby("persona_code").cumcount() + 1).astype(str)
    repeated = frame["persona_code"].duplicated(keep=False)
    frame.loc[repeated, "persona_code"] = frame.loc[repeated, "persona_code"] + "_" + counts[repeated]
    frame.insert(3, "persona", [persona_name(code, lang) for code in frame["persona_code"]])
    return frame


_PERSONA_CODE = re.compile(r"^(?P<key>[a-z_]+?)(?::(?P<detail>.*?))?(?:_(?P<n>\d+))?$")


def persona_name(code: str, lang: str = "en") -> str:
    """The name in ``lang`` of a persona code from :func:`name_personas`.

    ``price_sensitive`` -> "Price-sensitive", ``category_lover:美妆`` -> "美妆 lovers" /
    "美妆偏好型", ``price_sensitive_2`` -> "Price-sensitive 2"; an empty code (no clusters)
    gives an empty name and an unknown one is returned as given.
    """
    found = _PERSONA_CODE.match(code) if code else None
    if found is None or f"persona.{found['key']}" not in CATALOGUE:
        return code
    name = t(f"persona.{found['key']}", lang, detail=found["detail"] or "")
    return f"{name} {found['n']}" if found["n"] else name


def _feature_label(feature: str, lang: str) -> str:
    if ":" in feature:
        kind, name = feature.split(":", 1)
        return t(f"feature.{kind}", lang, name=name)
    return t(f"feature.{feature}", lang)


# ------------------------------------------------------------------------------ profiles


def segment_profile(rfm: pd.DataFrame, customers: pd.DataFrame | None, segment: str,
                    column: str, top: int = 10) -> pd.DataFrame:
    """The ``top`` customers of one segment by spend, with their attributes (no PII columns)."""
    chosen = rfm[rfm[column] == segment].nlargest(top, "monetary")
    if customers is not None:
        keep = [c for c in ("customer_id", "tier", "city", "age", "gender", "acquisition_channel")
                if c in customers]
        chosen = chosen.merge(customers[keep], on="customer_id", how="left")
    return chosen


AGE_BANDS = (0, 25, 35, 45, 55, 200)


def age_band_labels(bands: Sequence[float] = AGE_BANDS) -> list[str]:
    """Labels of whole-year age bands [low, high): ``<25``, ``25–34``, ..., ``≥55``."""
    inner = list(pairwise(bands))
    last = len(inner) - 1
    return [fmt_range(None, hi) if i == 0 else fmt_range(lo, None) if i == last
            else fmt_range(lo, hi - 1) for i, (lo, hi) in enumerate(inner)]


def demographic_cuts(table: pd.DataFrame, by: str, segment_column: str,
                     lang: str = "en", order: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers, revenue share and segment mix per value of a customer attribute.

    ``table`` holds one row per customer with ``monetary``, ``segment_column`` and ``by``;
    ages are banded (<25, 25–34, ..., ≥55). Rows follow the attribute's natural order
    (``order``, else age bands from the youngest, membership ladders from the lowest: see
    :func:`workbench.charts.ordered_levels`), otherwise revenue per customer, highest first;
    customers without a value ("–") come last.
    """
    values = table[by]
    if by == "age":
        labels = age_band_labels()
        banded = pd.cut(pd.to_numeric(values, errors="coerce"), AGE_BANDS, right=False,
                        labels=labels)
        values = pd.Series(banded.astype(object), index=table.index)
        order = labels
    values = values.astype(object).where(values.notna(), "–").astype(str)
    frame = table.assign(_group=values.to_numpy())
    summary = frame.groupby("_group").agg(customers=("customer_id", "size"),
                                          revenue=("monetary", "sum"))
    summary["revenue_share"] = summary["revenue"] / summary["revenue"].sum()
    summary["revenue_per_customer"] = summary["revenue"] / summary["customers"]
    levels = ordered_levels(summary.index, order)
    if levels is None:
        known = summary.drop(index="–", errors="ignore")
        levels = list(known.sort_values("revenue_per_customer", ascending=False).index)
        levels += ["–"] if "–" in summary.index else []
    summary = summary.reindex(levels)
    mix = pd.crosstab(frame["_group"], frame[segment_column], normalize="index")
    scheme = "cn8" if segment_column.endswith("cn8") else "en11"
    keys = list(CN8_SEGMENTS.values()) if scheme == "cn8" else list(EN11_SEGMENTS)
    mix = mix[[k for k in keys if k in mix.columns]]
    mix.columns = [t(f"seg.{scheme}.{c}", lang) for c in mix.columns]
    out = summary.join(mix).reset_index(names=by)
    out.attrs["ordinal"] = ordered_levels(summary.index, order) is not None
    return out


# ------------------------------------------------------------------------------ plots


def plot_segments(table: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Share of customers vs share of revenue per segment (from :func:`segment_table`)."""
    fig, ax = axes_for(ax, (9, 0.45 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    ax.barh(y + 0.2, table["customer_share"] * 100, height=0.4, color="#56B4E9",
            label=t("seg.col.customer_share", lang))
    ax.barh(y - 0.2, table["revenue_share"] * 100, height=0.4, color="#0072B2",
            label=t("seg.col.revenue_share", lang))
    ax.set(yticks=y, yticklabels=table["label"], xlabel="%", title=t("seg.segments_chart", lang))
    ax.legend(loc="lower right")
    return fig


def plot_rfm_heatmap(rfm: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Mean spend (colour and label) for each (R score, F score) cell; empty cells blank.

    Cell labels are :func:`workbench.i18n.fmt_money_short` text (the money axis format),
    black or white by cell colour.
    """
    fig, ax = axes_for(ax, (6.5, 5))
    bins = int(max(rfm["r_score"].max(), rfm["f_score"].max()))
    grid = (rfm.pivot_table(index="r_score", columns="f_score", values="monetary", aggfunc="mean")
            .reindex(index=range(bins, 0, -1), columns=range(1, bins + 1)))
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="YlGnBu", aspect="auto")
    annotate_heatmap(ax, image, values, lambda v: fmt_money_short(v, lang), fontsize=8)
    ax.set(xticks=range(bins), xticklabels=range(1, bins + 1), yticks=range(bins),
           yticklabels=range(bins, 0, -1), xlabel=t("seg.f_score", lang),
           ylabel=t("seg.r_score", lang), title=t("seg.heatmap_title", lang))
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, label=t("seg.col.monetary", lang))
    format_money_axis(bar.ax.yaxis, lang)
    return fig


def plot_lorenz(values: pd.Series, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Lorenz curve of value with the equality line and the top-20% point marked."""
    fig, ax = axes_for(ax, (5.5, 5))
    curve = lorenz_curve(values)
    ax.plot(curve["customer_share"] * 100, curve["value_share"] * 100, color="#0072B2",
            label=t("seg.gini_label", lang, gini=f"{gini(values):.2f}"))
    ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", label=t("seg.equality", lang))
    share = top_share(values, 0.2)
    ax.scatter([80], [(1 - share) * 100], color="#D55E00", zorder=3)
    ax.annotate(t("seg.top20_label", lang, share=f"{share:.0%}"), (80, (1 - share) * 100),
                textcoords="offset points", xytext=(-110, 15), color="#D55E00")
    ax.set(xlabel=t("seg.pareto_x", lang) + " (%)", ylabel=t("seg.pareto_y", lang) + " (%)",
           title=t("seg.pareto_title", lang), xlim=(0, 100), ylim=(0, 100))
    ax.legend(loc="upper left")
    return fig


def plot_cluster_map(coords: np.ndarray, labels: pd.Series, personas: pd.DataFrame, *,
                     lang: str = "en", max_points: int = 5000, random_state: int = 0,
                     ax: Axes | None = None) -> Figure:
    """Customers on the first two principal components, coloured by cluster (a sample).

    The largest cluster is drawn first (lowest z-order) and smaller ones on top, all
    semi-transparent, so no cluster hides behind a bigger one; the legend lists clusters by
    number, each with its own palette colour.
    """
    fig, ax = axes_for(ax, (7, 5.5))
    rng = np.random.default_rng(random_state)
    rows = (rng.choice(len(coords), max_points, replace=False) if len(coords) > max_points
            else np.arange(len(coords)))
    names = dict(zip(personas["cluster"], personas["persona"]))
    label_values = labels.to_numpy()
    clusters = sorted(np.unique(label_values))
    sizes = {c: int((label_values == c).sum()) for c in clusters}
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(clusters)}
    by_size = sorted(clusters, key=lambda c: (-sizes[c], c))
    drawn = {}
    for rank, cluster in enumerate(by_size):
        chosen = rows[label_values[rows] == cluster]
        drawn[cluster] = ax.scatter(coords[chosen, 0], coords[chosen, 1], s=6,
                                    alpha=0.35 if rank == 0 else 0.6, color=colours[cluster],
                                    zorder=2 + rank, linewidths=0,
                                    label=f"{cluster}: {names.get(cluster, cluster)}")
    ax.set(xlabel=t("seg.pc1", lang), ylabel=t("seg.pc2", lang), title=t("seg.cluster_map", lang))
    legend = ax.legend([drawn[c] for c in clusters], [drawn[c].get_label() for c in clusters],
                       markerscale=3, loc="best", fontsize=8)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    return fig


def plot_demographic(cut: pd.DataFrame, attribute: str, *, lang: str = "en",
                     ax: Axes | None = None) -> Figure:
    """Revenue per customer for each value of a customer attribute (from :func:`demographic_cuts`).

    Bars read top to bottom in the table's order: ordered attributes (age bands, membership
    levels) in their order, others by revenue per customer (at most 15, highest first).
    """
    ordinal = cut.attrs.get("ordinal", attribute == "age")
    shown = cut if ordinal else cut.sort_values("revenue_per_customer", ascending=False).head(15)
    shown = shown.iloc[::-1]  # barh draws the first row at the bottom
    fig, ax = axes_for(ax, (7, 0.4 * len(shown) + 1.6))
    ax.barh(shown[attribute].astype(str), shown["revenue_per_customer"], color="#009E73")
    format_money_axis(ax.xaxis, lang)
    ax.set(xlabel=t("seg.revenue_per_customer", lang),
           title=t("seg.demographic_title", lang, attribute=t(f"seg.attribute.{attribute}", lang)))
    return fig


# ------------------------------------------------------------------------------ one call


@dataclass
class Segmentation:
    """Everything the segmentation report shows, per customer and per group."""

    customers: pd.DataFrame  # one row per buying customer: RFM, scores, segments, tier, cluster
    tiers: pd.DataFrame  # per value tier: customers, revenue, shares
    clusters: BehaviourClusters | None
    personas: pd.DataFrame | None
    features: pd.DataFrame | None


def tier_names(cuts: Sequence[float], lang: str = "en") -> list[str]:
    """Readable tier names from the cuts: (0.2, 0.5) -> Top 20%, Next 30%, Rest 50%."""
    bounds = [0.0, *cuts, 1.0]
    widths = [f"{(hi - lo) * 100:.0f}%" for lo, hi in pairwise(bounds)]
    keys = ["tier.top"] + ["tier.next"] * (len(cuts) - 1) + ["tier.rest"]
    return [t(key, lang, share=width) for key, width in zip(keys, widths)]


def tier_table(customers: pd.DataFrame, cuts: Sequence[float] = (0.2, 0.5),
               lang: str = "en") -> pd.DataFrame:
    """Per value tier: customers, revenue, their shares and revenue per customer."""
    grouped = customers.groupby("value_tier").agg(customers=("customer_id", "size"),
                                                  revenue=("monetary", "sum"))
    grouped["customer_share"] = grouped["customers"] / grouped["customers"].sum()
    grouped["revenue_share"] = grouped["revenue"] / grouped["revenue"].sum()
    grouped["revenue_per_customer"] = grouped["revenue"] / grouped["customers"]
    names = dict(zip([chr(ord("A") + i) for i in range(len(cuts) + 1)], tier_names(cuts, lang)))
    grouped.insert(0, "label", [names.get(k, k) for k in grouped.index])
    return grouped.reset_index()


def segment(transactions: pd.DataFrame, as_of: pd.Timestamp, *, bins: int = 5,
            threshold: Literal["mean", "median"] = "mean", tier_cuts: Sequence[float] = (0.2, 0.5),
            cluster_method: Literal["kmeans", "gmm"] = "kmeans", k_range: Sequence[int] = (3, 4, 5, 6, 7, 8),
            min_orders_for_clusters: int = 3, lang: str = "en", random_state: int = 0) -> Segmentation:
    """RFM scores, both segment schemes, value tiers and behaviour clusters in one call.

    ``as_of`` is the reference date (inclusive); only transactions up to it count. Clusters
    are fitted on customers with at least ``min_orders_for_clusters`` orders and everyone is
    assigned; with too few customers to cluster, ``clusters`` is None (``cluster`` -1 and an
    empty persona). ``customers`` holds codes (segments, tier, ``persona``) and, for display,
    ``persona_label`` in ``lang``; ``lang`` changes no code.
    """
    from workbench.summary import customer_summary

    summary = customer_summary(transactions, as_of, "D")
    rfm = rfm_scores(summary, bins)
    rfm["segment_cn8"] = segment_cn8(rfm, threshold).to_numpy()
    rfm["segment_en11"] = segment_en11(rfm, bins).to_numpy()
    rfm["value_tier"] = value_tiers(rfm["monetary"], tier_cuts).to_numpy()
    clusters = personas = features = None
    if len(rfm) > 10 * max(k_range):
        features = behaviour_features(transactions[transactions["order_date"] < as_of + pd.Timedelta(days=1)],
                                      summary)
        reliable = summary.set_index("customer_id")["frequency"].reindex(features.index) >= min_orders_for_clusters
        clusters = BehaviourClusters(k_range=k_range, method=cluster_method,
                                     random_state=random_state).fit(features, reliable)
        personas = name_personas(clusters, lang)
        codes = dict(zip(personas["cluster"], personas["persona_code"]))
        names = dict(zip(personas["cluster"], personas["persona"]))
        labels = clusters.labels_.reindex(rfm["customer_id"]).to_numpy()
        rfm["cluster"] = labels
        rfm["persona"] = [codes[c] for c in labels]
        rfm["persona_label"] = [names[c] for c in labels]
    else:
        rfm["cluster"] = -1
        rfm["persona"] = ""
        rfm["persona_label"] = ""
    return Segmentation(rfm, tier_table(rfm, tier_cuts, lang), clusters, personas, features)


EXPORT_COLUMNS = tuple(RESULTS["segments"].columns)  # the export is the shared result

#: Label key templates of the export's segment codes (``ReportContext.export(labels=...)``).
EXPORT_LABELS: dict[str, str] = dict(RESULTS["segments"].labels)


def segments_result(result: Segmentation) -> pd.DataFrame:
    """The shared ``segments`` result (schema ``workbench.results.RESULTS["segments"]``).

    One row per buying customer with codes only: segments, value tier (``A``/``B``/...),
    cluster number and persona code; the same in every report language.
    """
    return result.customers[list(RESULTS["segments"].columns)].reset_index(drop=True)


def export_frame(result: Segmentation) -> pd.DataFrame:
    """The campaign list: :func:`segments_result` with ``value_tier_label`` and ``persona_label``.

    Codes are language-independent; the two labels are in the language ``result`` was
    computed in (``segment(..., lang=)``: tier names such as "Top 20%", persona names). The
    segment labels are added on export from :data:`EXPORT_LABELS`.
    """
    out = segments_result(result)[list(EXPORT_COLUMNS)]
    tiers = dict(zip(result.tiers["value_tier"], result.tiers["label"]))
    out.insert(out.columns.get_loc("value_tier") + 1, "value_tier_label",
               out["value_tier"].map(tiers))
    out.insert(out.columns.get_loc("persona") + 1, "persona_label",
               result.customers["persona_label"].to_numpy())
    return out


def segmentation_metrics(result: Segmentation, lang_values: Sequence[str] = ("en", "zh")) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (key ``segmentation``)."""
    c = result.customers
    tiers = result.tiers.set_index("value_tier")
    by_revenue = c.groupby("segment_cn8")["monetary"].sum().sort_values(ascending=False)
    top20 = top_share(c["monetary"], 0.2)
    top_segment = by_revenue.index[0]
    metrics: dict[str, Any] = {
        "customers": len(c),
        "customers_per_segment_cn8": c["segment_cn8"].value_counts().to_dict(),
        "customers_per_segment_en11": c["segment_en11"].value_counts().to_dict(),
        "revenue_share_per_value_tier": tiers["revenue_share"].to_dict(),
        "gini": gini(c["monetary"]),
        "top20_revenue_share": top20,
        "k": result.clusters.k_ if result.clusters else None,
        "silhouette": result.clusters.silhouette_ if result.clusters else None,
        "cluster_stability_ari": result.clusters.stability_ if result.clusters else None,
    }
    metrics["headline"] = {
        lang: t("seg.headline", lang, top_segment=t(f"seg.cn8.{top_segment}", lang),
                top_share=f"{by_revenue.iloc[0] / by_revenue.sum():.0%}", top20=f"{top20:.0%}")
        for lang in lang_values
    }
    return metrics


# ------------------------------------------------------------------------------ report helpers

DEMOGRAPHIC_ATTRIBUTES = ("age", "gender", "city", "region", "acquisition_channel")


def with_attributes(customers: pd.DataFrame, attributes: pd.DataFrame | None) -> pd.DataFrame:
    """Per-customer segmentation joined with the non-personal customer attributes."""
    if attributes is None:
        return customers
    keep = ["customer_id", "tier", *DEMOGRAPHIC_ATTRIBUTES]
    return customers.merge(attributes[[c for c in keep if c in attributes]], on="customer_id",
                           how="left")


def membership_table(customers: pd.DataFrame, attributes: pd.DataFrame,
                     order: Sequence[str] | None = None) -> pd.DataFrame:
    """Membership levels over all registered customers (revenue 0 for those who never bought).

    ``order`` is the level order, lowest first (see :func:`tier_order`); by default the
    known ladders.
    """
    revenue = customers.set_index("customer_id")["monetary"]
    spend = revenue.reindex(attributes["customer_id"]).fillna(0.0).reset_index(drop=True)
    return membership_summary(attributes["tier"].reset_index(drop=True), spend, order)


def membership_headline(table: pd.DataFrame) -> dict[str, str]:
    """The smallest group of top levels that brings at least half the revenue."""
    ranked = table[table["revenue_share_and_above"].notna()]
    row = ranked[ranked["revenue_share_and_above"] >= 0.5].iloc[-1]
    upto = ranked.loc[row.name:]
    return {"level": str(row["tier"]), "members": f"{upto['member_share'].sum():.0%}",
            "revenue": f"{row['revenue_share_and_above']:.0%}"}


def explore_widget(table: pd.DataFrame, *, lang: str = "en") -> Any:
    """JupyterLab widget: pick a segment to see its top customers by spend (PII masked)."""
    import ipywidgets as widgets
    from IPython.display import display

    from workbench.safety import mask_frame

    keys = [k for k in CN8_SEGMENTS.values() if k in set(table["segment_cn8"])]
    picker = widgets.Dropdown(options=[(t(f"seg.cn8.{k}", lang), k) for k in keys],
                              description=t("seg.col.segment", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output(wait=True)
        with output:
            chosen = table[table["segment_cn8"] == picker.value].nlargest(10, "monetary")
            display(mask_frame(chosen))

    picker.observe(refresh, names="value")
    refresh()
    return widgets.VBox([picker, output])


def persona_cards(result: Segmentation, lang: str = "en") -> list[tuple[str, str, str]]:
    """(persona, customers and revenue share, standout features) for the persona cards."""
    c = result.customers
    total = c["monetary"].sum()
    cards = []
    for _, row in result.personas.iterrows():
        members = c[c["cluster"] == row["cluster"]]
        value = f"{fmt_number(len(members), lang)} ({len(members) / len(c):.0%})"
        share = members["monetary"].sum() / total if total else 0.0
        note = f"{t('seg.col.revenue_share', lang)} {share:.0%} · {row['why']}"
        cards.append((row["persona"], value, note))
    return cards
