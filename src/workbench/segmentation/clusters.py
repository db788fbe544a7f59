"""Behaviour features, clusters and the persona code of each cluster.

Persona *names* (in a report language) are the report layer's:
:func:`workbench.segmentation.workflow.persona_name`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, pairwise_distances_chunked
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from workbench.features import purchase_mix, side_by_side

__all__ = ["PERSONA_RULES", "BehaviourClusters", "behaviour_features", "persona_codes",
           "silhouette_scores"]


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
    # Customers as their row in the summary, categories and channels as categoricals: every
    # group-by below then runs on integer codes (strings cost more to hash than the sums).
    line_codes, ids = pd.factorize(transactions["customer_id"], use_na_sentinel=True)
    codes = np.append(s.index.get_indexer(ids), -1)[line_codes]  # -1: not in the summary
    known = codes >= 0
    if known.all():  # every line's customer is in the summary: no copy of the lines to keep
        known = slice(None)
    tx = transactions.loc[known, [c for c in ("amount", "channel", "category", "discount")
                                  if c in transactions]]
    for column in ("channel", "category"):
        if column in tx:
            tx[column] = pd.Categorical(tx[column])
    tx.insert(0, "customer_id", codes[known])
    features["regularity"] = _regularity(codes[known], transactions.loc[known, "order_date"],
                                         len(s))
    mix = purchase_mix(tx, max_categories=max_categories)
    mix.index = s.index[mix.index.to_numpy()]
    features = features.join(mix).fillna({c: 0.0 for c in mix.columns})
    return features.astype(float)


def _regularity(customers: np.ndarray, dates: pd.Series, n: int) -> np.ndarray:
    """Coefficient of variation of the gaps (days) between each customer's purchase days.

    ``customers`` are integer codes 0..n-1 of the lines' customers; 1 for customers with fewer
    than two gaps. Gaps are taken in day order, so the sums run as a sort by customer and day
    would have them.
    """
    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    first = days.min() if len(days) else 0
    pairs = np.sort(customers.astype(np.int64) << 32 | (days - first))
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    customer, day = pairs >> 32, pairs & 0xFFFFFFFF
    repeat = np.flatnonzero(customer[1:] == customer[:-1]) + 1
    gaps = pd.Series((day[repeat] - day[repeat - 1]).astype(float))
    stats = gaps.groupby(customer[repeat]).agg(["mean", "std", "count"])
    cv = (stats["std"] / stats["mean"]).where(stats["count"] >= 2)
    out = np.full(n, np.nan)
    out[stats.index.to_numpy()] = cv.to_numpy()
    return np.nan_to_num(out, nan=1.0)


def _silhouette_sums(distances: np.ndarray, start: int, labels: np.ndarray,
                     freqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summed distance to the own cluster and mean distance to the nearest other one, per row."""
    sums = np.zeros((len(distances), len(freqs)), dtype=distances.dtype)
    for i in range(len(distances)):
        sums[i] += np.bincount(labels, weights=distances[i], minlength=len(freqs))
    own = (np.arange(len(distances)), labels[start:start + len(distances)])
    intra = sums[own]
    sums[own] = np.inf
    sums /= freqs
    return intra, sums.min(axis=1)


def silhouette_scores(points: np.ndarray, labelings: Sequence[np.ndarray]) -> list[float]:
    """Mean silhouette (Rousseeuw 1987, euclidean) of each labeling of the same points.

    The numbers of :func:`sklearn.metrics.silhouette_score` (the same distance chunks and
    the same per-row sums), with the pairwise distances computed once for all labelings
    instead of once per labeling: the distances are the cost.
    """
    encoded = []
    for labels in labelings:
        codes = np.unique(labels, return_inverse=True)[1].ravel()
        freqs = np.bincount(codes)
        if not 1 < len(freqs) < len(codes):
            raise ValueError(f"Number of labels is {len(freqs)}. Valid values are 2 to "
                             f"n_samples - 1 (inclusive)")
        encoded.append((codes, freqs))
    if not encoded:
        return []

    def reduce(chunk: np.ndarray, start: int) -> tuple[np.ndarray, ...]:
        return tuple(part for codes, freqs in encoded
                     for part in _silhouette_sums(chunk, start, codes, freqs))

    chunks = list(pairwise_distances_chunked(np.asarray(points, dtype=float), reduce_func=reduce))
    scores = []
    for j, (codes, freqs) in enumerate(encoded):
        intra = np.concatenate([c[2 * j] for c in chunks])
        inter = np.concatenate([c[2 * j + 1] for c in chunks])
        with np.errstate(divide="ignore", invalid="ignore"):
            intra /= (freqs - 1).take(codes, mode="clip")
            samples = (inter - intra) / np.maximum(intra, inter)
        scores.append(float(np.mean(np.nan_to_num(samples))))
    return scores


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

    def _fit(self, k: int, seed: int, points: np.ndarray) -> Any:
        return self._model(k, seed).fit(points)

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
        labelled = {}
        fit_points = scaled[fit_rows]
        fitted = side_by_side([partial(self._fit, k, self.random_state, fit_points)
                               for k in self.k_range])  # independent fits, side by side
        for k, model in zip(self.k_range, fitted):
            labels = model.predict(scaled[sil_rows])
            if len(np.unique(labels)) < 2:
                continue
            labelled[k] = labels
            models[k] = model
        self.scores_ = dict(zip(labelled, silhouette_scores(scaled[sil_rows], list(labelled.values()))))
        if not self.scores_:
            raise ValueError("no number of clusters gave two or more distinct groups")
        self.k_ = max(self.scores_, key=self.scores_.get)
        self.silhouette_ = self.scores_[self.k_]
        self.model_ = models[self.k_]
        reference = labelled[self.k_]  # the chosen model's labels of the silhouette sample
        seeds = [self.random_state + i + 1 for i in range(self.n_stability_seeds)]
        refits = side_by_side([partial(self._fit, self.k_, s, fit_points) for s in seeds])
        self.stability_ = float(np.mean([
            adjusted_rand_score(reference, refit.predict(scaled[sil_rows]))
            for refit in refits])) if seeds else float("nan")
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



def persona_codes(clusters: BehaviourClusters, *, min_z: float = 0.5,
                  rule_tolerance: float = 0.8) -> pd.DataFrame:
    """The persona code of each cluster from its standout features, the same in every language.

    For each cluster the features are ranked by |z| (the cluster mean in standard deviations
    of the base). A behavioural rule (``PERSONA_RULES``: discount share -> price-sensitive,
    order value -> quality-seeking, ...) names the cluster when its feature stands out by at
    least ``min_z`` and ``rule_tolerance`` times the strongest feature; otherwise the strongest
    category or channel share names it (``category_lover:<category>``, the category as the
    data gives it); otherwise ``mainstream``. Clusters that share a code are numbered
    (``price_sensitive_2``). Columns ``cluster``, ``persona_key``, ``persona_code`` and
    ``standout``: the three strongest (feature, z) pairs.
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
        rows.append({"cluster": int(cluster), "persona_key": key,
                     "persona_code": f"{key}:{detail}" if detail else key,
                     "standout": [(f, float(v)) for f, v in ranked.head(3).items()]})
    frame = pd.DataFrame(rows, columns=["cluster", "persona_key", "persona_code", "standout"])
    counts = (frame.groupby("persona_code").cumcount() + 1).astype(str)
    repeated = frame["persona_code"].duplicated(keep=False)
    frame.loc[repeated, "persona_code"] = frame.loc[repeated, "persona_code"] + "_" + counts[repeated]
    return frame
