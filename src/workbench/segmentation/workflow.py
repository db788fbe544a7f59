"""The segmentation report's layer: the one call :func:`segment`, and everything in words.

Computation lives in :mod:`~workbench.segmentation.rfm`, :mod:`~workbench.segmentation.value`,
:mod:`~workbench.segmentation.clusters` and :mod:`~workbench.segmentation.profiles` (codes and
numbers only); this module names segments, tiers and personas in the report language and
builds the tables, cards, widget, export and metrics of ``02_segmentation``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.i18n import CATALOGUE, fmt_number, fmt_range, t
from workbench.results import RESULTS
from workbench.segmentation.clusters import BehaviourClusters, behaviour_features, persona_codes
from workbench.segmentation.profiles import AGE_BANDS, attribute_cuts
from workbench.segmentation.rfm import (
    CN8_SEGMENTS,
    EN11_SEGMENTS,
    rfm_scores,
    segment_cn8,
    segment_en11,
)
from workbench.segmentation.value import gini, top_share, value_tiers
from workbench.summary import customer_summary, up_to

__all__ = ["EXPORT_COLUMNS", "EXPORT_LABELS", "Segmentation", "age_band_labels",
           "demographic_cuts", "explore_widget", "export_frame", "membership_headline",
           "name_personas", "persona_cards", "persona_name", "segment", "segment_table",
           "segmentation_metrics", "segments_result", "tier_names", "tier_table"]


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


def name_personas(clusters: BehaviourClusters, lang: str = "en", *, min_z: float = 0.5,
                  rule_tolerance: float = 0.8) -> pd.DataFrame:
    """An explainable persona per cluster: its code (:func:`~workbench.segmentation.clusters.persona_codes`)
    and its name in ``lang``.

    ``persona_code`` is the same in every language; ``persona`` is the name in ``lang``
    (``price_sensitive_2`` -> "Price-sensitive 2"); ``why`` lists the three strongest features
    with their direction, in standard deviations of the base.
    """
    frame = persona_codes(clusters, min_z=min_z, rule_tolerance=rule_tolerance)
    frame["why"] = [", ".join(f"{_feature_label(f, lang)} {'↑' if v > 0 else '↓'}{abs(v):.1f}σ"
                              for f, v in standout) for standout in frame.pop("standout")]
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
    customers without a value ("–") come last. Segment mix columns are named in ``lang``.
    """
    values = table[by]
    if by == "age":
        labels = age_band_labels()
        banded = pd.cut(pd.to_numeric(values, errors="coerce"), AGE_BANDS, right=False,
                        labels=labels)
        values = pd.Series(banded.astype(object), index=table.index)
        order = labels
    cuts = attribute_cuts(table, values, segment_column, order)
    scheme = "cn8" if segment_column.endswith("cn8") else "en11"
    keys = CN8_SEGMENTS.values() if scheme == "cn8" else EN11_SEGMENTS
    names = {k: t(f"seg.{scheme}.{k}", lang) for k in keys if k in cuts.columns}
    out = cuts.rename(columns=names).reset_index(names=by)
    out.attrs["ordinal"] = cuts.attrs["ordinal"]
    return out


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
    summary = customer_summary(transactions, as_of, "D")
    rfm = rfm_scores(summary, bins)
    rfm["segment_cn8"] = segment_cn8(rfm, threshold).to_numpy()
    rfm["segment_en11"] = segment_en11(rfm, bins).to_numpy()
    rfm["value_tier"] = value_tiers(rfm["monetary"], tier_cuts).to_numpy()
    clusters = personas = features = None
    if len(rfm) > 10 * max(k_range):
        features = behaviour_features(up_to(transactions, as_of), summary)
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
