"""Customer 360 (客户360): everything known about one customer, as an object and an HTML card.

:func:`customer_profile` gathers a customer's attributes (personal data masked unless
``show_pii=True``), purchases, spend by category and channel, RFM segment and tier, lifecycle
stage, CLV / P(alive) and churn risk when those results are passed in, feedback, and next
actions. :meth:`CustomerProfile.to_html` renders a compact card in which every piece of text
from the data is escaped and masked (:func:`workbench.safety.escape_html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import axes_for
from workbench.i18n import CATALOGUE, fmt_money, t
from workbench.style import format_money_axis
from workbench.safety import escape_html, mask_text

__all__ = [
    "ATTRIBUTE_FIELDS",
    "Customer360",
    "CustomerProfile",
    "at_risk_customers",
    "cards_html",
    "customer_profile",
    "customer_segments",
    "explore_widget",
    "plot_timeline",
    "show_cards",
]

ATTRIBUTE_FIELDS = ("gender", "age", "city", "region", "tier", "signup_date", "acquisition_channel",
                    "name", "phone", "email")
_PII = ("name", "phone", "email")


def _mask_value(column: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if column == "name":
        return value[0] + "*" * max(len(value) - 1, 1)
    if column == "phone":
        masked = mask_text(value)
        if masked == value:  # not a recognised number: keep only the last 4 characters
            masked = "*" * max(len(value) - 4, 1) + value[-4:]
        return masked
    if column == "email":
        masked = mask_text(value)
        if masked == value and "@" in value:
            masked = value[0] + "***" + value[value.index("@"):]
        return masked
    return value


def _row(frame: pd.DataFrame | None, customer_id: str) -> dict[str, Any] | None:
    if frame is None or "customer_id" not in frame or not len(frame):
        return None
    hit = frame[frame["customer_id"].astype(str) == customer_id]
    return None if hit.empty else hit.iloc[0].to_dict()


@dataclass
class CustomerProfile:
    """One customer's 360 view; ``found`` is False for an id not in the data."""

    customer_id: str
    found: bool
    attributes: dict[str, Any] = field(default_factory=dict)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per order, main category
    spend_by_category: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    spend_by_channel: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    summary: dict[str, Any] = field(default_factory=dict)  # orders, spend, first, last
    segment: dict[str, Any] = field(default_factory=dict)  # segment_cn8, segment_en11, value_tier
    stage: str | None = None
    clv: dict[str, Any] = field(default_factory=dict)  # e.g. clv, p_alive
    churn: dict[str, Any] = field(default_factory=dict)  # e.g. churn_probability, health, reasons
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame)
    recommendations: pd.DataFrame = field(default_factory=pd.DataFrame)
    actions: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ card
    def to_html(self, lang: str = "en") -> str:
        """A compact HTML card; every value from the data is escaped and masked."""
        esc = escape_html
        if not self.found:
            return (f"<div class='wb-card' style='{_CARD}'><p>"
                    f"{esc(t('profile.unknown', lang, customer_id=self.customer_id))}</p></div>")
        parts = [f"<h3 style='margin:0 0 6px 0'>{esc(t('profile.title', lang, customer_id=self.customer_id))}</h3>"]
        facts = [(t(f"profile.field.{k}", lang), v) for k, v in self.attributes.items()
                 if v is not None and not (isinstance(v, float) and np.isnan(v))]
        if facts:
            parts.append(_facts(t("profile.attributes", lang), facts))
        status = []
        if self.segment.get("segment_cn8"):
            status.append((t("profile.segment", lang), t(f"seg.cn8.{self.segment['segment_cn8']}", lang)))
        if self.segment.get("value_tier"):
            tier = str(self.segment["value_tier"])
            key = f"profile.value_tier.{tier}"
            status.append((t("profile.tier", lang), t(key, lang) if key in CATALOGUE else tier))
        if self.stage:
            status.append((t("profile.stage", lang), t(f"life.stage.{self.stage}", lang)))
        for key, label in (("clv", "profile.clv"), ("p_alive", "profile.p_alive")):
            if self.clv.get(key) is not None:
                value = self.clv[key]
                status.append((t(label, lang), f"{value:.0%}" if key == "p_alive" else fmt_money(value, lang)))
        for key, label in (("churn_probability", "profile.churn_risk"), ("health", "profile.health")):
            if self.churn.get(key) is not None:
                value = self.churn[key]
                status.append((t(label, lang), f"{value:.0%}" if key == "churn_probability" else f"{value:.0f}"))
        if self.churn.get("reasons"):
            status.append((t("profile.risk_reasons", lang), self.churn["reasons"]))
        if status:
            parts.append(_facts("", status))
        if self.summary.get("orders"):
            parts.append(_facts(t("profile.purchases", lang), [
                (t("profile.orders", lang), f"{self.summary['orders']:,}"),
                (t("profile.spend", lang), fmt_money(self.summary["spend"], lang)),
                (t("profile.first", lang), self.summary["first"]),
                (t("profile.last", lang), self.summary["last"]),
            ]))
            for title, series in (("profile.by_category", self.spend_by_category),
                                  ("profile.by_channel", self.spend_by_channel)):
                if len(series):
                    line = " · ".join(f"{k} {fmt_money(v, lang)}" for k, v in series.items())
                    parts.append(f"<h4 style='{_H4}'>{esc(t(title, lang))}</h4><div>{esc(line)}</div>")
        else:
            parts.append(f"<p>{esc(t('profile.no_purchases', lang))}</p>")
        parts.append(f"<h4 style='{_H4}'>{esc(t('profile.feedback', lang))}</h4>")
        if len(self.feedback):
            items = []
            for row in self.feedback.head(5).itertuples():
                scores = " ".join(f"{t(f'profile.score.{k}', lang)} {getattr(row, k):g}"
                                  for k in ("nps", "csat", "ces")
                                  if k in self.feedback and pd.notna(getattr(row, k)))
                comment = getattr(row, "comment", "")
                comment = comment if isinstance(comment, str) else ""
                items.append(f"<li>{esc(str(row.submitted_at)[:10])} {esc(scores)} "
                             f"<i>{esc(comment)}</i></li>")
            parts.append("<ul style='margin:2px 0'>" + "".join(items) + "</ul>")
        else:
            parts.append(f"<p style='margin:2px 0'>{esc(t('profile.no_feedback', lang))}</p>")
        if len(self.recommendations):
            recs = [t("profile.offer_reason", lang, item=r.item, reason=r.reason)
                    if "reason" in self.recommendations else str(r.item)
                    for r in self.recommendations.head(5).itertuples()]
            parts.append(f"<h4 style='{_H4}'>{esc(t('profile.recommendations', lang))}</h4>"
                         "<ol style='margin:2px 0'>" + "".join(f"<li>{esc(r)}</li>" for r in recs) + "</ol>")
        actions = self.next_actions(lang)
        if actions:
            parts.append(f"<h4 style='{_H4}'>{esc(t('profile.actions', lang))}</h4>"
                         "<ul style='margin:2px 0'>" + "".join(f"<li>{esc(a)}</li>" for a in actions) + "</ul>")
        return f"<div class='wb-card' style='{_CARD}'>" + "".join(parts) + "</div>"

    def next_actions(self, lang: str = "en") -> list[str]:
        """Lifecycle and segment actions, then the top offers."""
        out = list(self.actions)
        if self.stage:
            out.append(t(f"life.action.{self.stage}", lang))
        if self.segment.get("segment_cn8"):
            out.append(t(f"seg.action.{self.segment['segment_cn8']}", lang))
        if len(self.recommendations):
            items = "、".join(map(str, self.recommendations["item"].head(3))) if lang == "zh" else \
                ", ".join(map(str, self.recommendations["item"].head(3)))
            out.append(t("profile.action_offer", lang, items=items))
        return out

    def _repr_html_(self) -> str:
        return self.to_html()


_CARD = ("display:inline-block;vertical-align:top;width:440px;margin:6px;padding:10px 14px;"
         "border:1px solid #ccc;border-radius:8px;font-size:0.9em;line-height:1.35")
_H4 = "margin:8px 0 2px 0;font-size:1em"


def _facts(title: str, pairs: Sequence[tuple[str, Any]]) -> str:
    head = f"<h4 style='{_H4}'>{escape_html(title)}</h4>" if title else ""
    cells = "".join(f"<tr><td style='color:#555;padding:1px 8px 1px 0'>{escape_html(str(k))}</td>"
                    f"<td style='padding:1px 0'>{escape_html(str(v))}</td></tr>" for k, v in pairs)
    return f"{head}<table style='border-collapse:collapse'>{cells}</table>"


# ------------------------------------------------------------------------------ building


def customer_profile(customer_id: Any, *, transactions: pd.DataFrame | None = None,
                     customers: pd.DataFrame | None = None, feedback: pd.DataFrame | None = None,
                     as_of: pd.Timestamp | None = None, segments: pd.DataFrame | None = None,
                     stages: pd.DataFrame | None = None, clv: pd.DataFrame | None = None,
                     churn: pd.DataFrame | None = None, recommendations: pd.DataFrame | None = None,
                     show_pii: bool = False) -> CustomerProfile:
    """The 360 view of one customer from whatever results are at hand.

    ``segments``: per-customer frame of :func:`workbench.segmentation.segment` (its
    ``.customers``); ``stages``: :meth:`workbench.lifecycle.PurchaseHistory.stages`; ``clv``:
    a frame with ``customer_id`` and e.g. ``clv``, ``p_alive``; ``churn``: ``customer_id`` and
    e.g. ``churn_probability``, ``health``, ``reasons``; ``recommendations``: output of
    :meth:`workbench.recommend.CoPurchase.recommend`. Only transactions up to ``as_of`` count.
    Personal data (name, phone, email) are masked unless ``show_pii=True``.
    """
    cid = str(customer_id)
    tx = None
    if transactions is not None and len(transactions):
        tx = transactions[transactions["customer_id"].astype(str) == cid]
        if as_of is not None:
            tx = tx[tx["order_date"] < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)]
    attrs = _row(customers, cid)
    found = attrs is not None or (tx is not None and len(tx) > 0)
    profile = CustomerProfile(cid, found)
    if not found:
        return profile
    if attrs:
        profile.attributes = {k: (attrs[k] if show_pii else _mask_value(k, attrs[k]))
                              for k in ATTRIBUTE_FIELDS if k in attrs and pd.notna(attrs[k])}
        if isinstance(profile.attributes.get("age"), float):
            profile.attributes["age"] = int(profile.attributes["age"])
        if "signup_date" in profile.attributes:
            profile.attributes["signup_date"] = str(pd.Timestamp(profile.attributes["signup_date"]).date())
    if tx is not None and len(tx):
        order = "order_id" if "order_id" in tx else "order_date"
        agg = {"order_date": ("order_date", "min"), "amount": ("amount", "sum")}
        for extra in ("category", "channel"):  # the value of the order's largest line
            if extra in tx:
                agg[extra] = (extra, "first")
        lines = tx.sort_values("amount", ascending=False, kind="stable")
        profile.timeline = lines.groupby(order, sort=False).agg(**agg).sort_values("order_date").reset_index(drop=True)
        profile.summary = {"orders": len(profile.timeline), "spend": float(tx["amount"].sum()),
                           "first": str(tx["order_date"].min().date()), "last": str(tx["order_date"].max().date())}
        for column, target in (("category", "spend_by_category"), ("channel", "spend_by_channel")):
            if column in tx:
                setattr(profile, target, tx.groupby(column)["amount"].sum().sort_values(ascending=False))
    seg = _row(segments, cid)
    if seg:
        profile.segment = {k: seg[k] for k in ("segment_cn8", "segment_en11", "value_tier") if k in seg}
    stage = _row(stages, cid)
    if stage and "stage" in stage:
        profile.stage = str(stage["stage"])
    for source, target in ((clv, "clv"), (churn, "churn")):
        row = _row(source, cid)
        if row:
            setattr(profile, target, {k: v for k, v in row.items() if k != "customer_id" and
                                      not (isinstance(v, float) and np.isnan(v))})
    if feedback is not None and len(feedback):
        fb = feedback[feedback["customer_id"].astype(str) == cid]
        profile.feedback = fb.sort_values("submitted_at", ascending=False).reset_index(drop=True)
    if recommendations is not None and len(recommendations):
        profile.recommendations = recommendations[recommendations["customer_id"].astype(str) == cid]
    return profile


def plot_timeline(profile: CustomerProfile, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Order amounts over time (stems), coloured by the order's main category when known."""
    fig, ax = axes_for(ax, (8, 3))
    ax.set_title(t("profile.timeline_title", lang, customer_id=profile.customer_id))
    timeline = profile.timeline
    if not len(timeline):
        ax.text(0.5, 0.5, t("profile.no_purchases", lang), ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    ax.vlines(timeline["order_date"], 0, timeline["amount"], color="#999999", lw=1)
    groups = timeline["category"] if "category" in timeline else pd.Series("", index=timeline.index)
    for name, rows in timeline.groupby(groups):
        ax.scatter(rows["order_date"], rows["amount"], s=25, label=name or None, zorder=3)
    if groups.nunique() > 1 or groups.iloc[0]:
        ax.legend(fontsize=7, loc="upper left", ncol=3)
    ax.set(ylabel=t("profile.amount", lang))
    format_money_axis(ax.yaxis, lang)
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def at_risk_customers(stages: pd.DataFrame, n: int = 10,
                      stage_names: Sequence[str] = ("at_risk", "churned")) -> list[str]:
    """The ``n`` customers in ``stage_names`` with the highest spend so far."""
    value = "spend" if "spend" in stages else stages.columns[-1]
    pick = stages[stages["stage"].isin(list(stage_names))].sort_values(value, ascending=False)
    return pick["customer_id"].astype(str).head(n).tolist()


def cards_html(profiles: Sequence[CustomerProfile], lang: str = "en") -> str:
    """Cards side by side (wrapping)."""
    return "<div>" + "".join(p.to_html(lang) for p in profiles) + "</div>"


def show_cards(profiles: Sequence[CustomerProfile], lang: str = "en") -> None:
    """Display the cards in the notebook (all text already escaped by ``to_html``)."""
    from IPython.display import HTML, display

    display(HTML(cards_html(profiles, lang)))


def customer_segments(transactions: pd.DataFrame, as_of: pd.Timestamp,
                      customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per buying customer: RFM values, ``segment_cn8``, ``segment_en11``, ``value_tier``
    (fast: no clustering), with the membership ``tier`` of customers.csv when present."""
    from workbench.segmentation import rfm_scores, segment_cn8, segment_en11, value_tiers
    from workbench.summary import customer_summary

    rfm = rfm_scores(customer_summary(transactions, as_of, "D"))
    rfm["segment_cn8"] = segment_cn8(rfm).to_numpy()
    rfm["segment_en11"] = segment_en11(rfm).to_numpy()
    rfm["value_tier"] = value_tiers(rfm["monetary"]).to_numpy()
    rfm["customer_id"] = rfm["customer_id"].astype(str)
    if customers is not None and "tier" in customers:
        tiers = customers.assign(customer_id=customers["customer_id"].astype(str))[["customer_id", "tier"]]
        rfm = rfm.merge(tiers.drop_duplicates("customer_id"), on="customer_id", how="left")
    return rfm


@dataclass
class Customer360:
    """The results a notebook has at hand, to build any customer's profile on demand."""

    transactions: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    feedback: pd.DataFrame | None = None
    as_of: pd.Timestamp | None = None
    segments: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    clv: pd.DataFrame | None = None
    churn: pd.DataFrame | None = None
    recommendations: pd.DataFrame | None = None

    def profile(self, customer_id: Any, show_pii: bool = False) -> CustomerProfile:
        return customer_profile(customer_id, transactions=self.transactions, customers=self.customers,
                                feedback=self.feedback, as_of=self.as_of, segments=self.segments,
                                stages=self.stages, clv=self.clv, churn=self.churn,
                                recommendations=self.recommendations, show_pii=show_pii)

    def profiles(self, customer_ids: Sequence[Any]) -> list[CustomerProfile]:
        return [self.profile(c) for c in customer_ids]

    def customer_ids(self) -> list[str]:
        ids: list[str] = []
        for frame in (self.customers, self.transactions):
            if frame is not None and "customer_id" in frame:
                ids.extend(frame["customer_id"].astype(str).unique())
        return list(dict.fromkeys(ids))

    def widget(self, lang: str = "en") -> Any:
        """JupyterLab only: search a customer and see the card and timeline."""
        return explore_widget(self.customer_ids(), self.profile, lang=lang)


def explore_widget(customer_ids: Sequence[str], build: Any, *, lang: str = "en") -> Any:
    """JupyterLab only: a searchable dropdown of customers -> card and timeline.

    ``build(customer_id)`` returns a :class:`CustomerProfile`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    box = widgets.Combobox(options=list(map(str, customer_ids[:5000])), description=t("rec.search", lang),
                           ensure_option=False, placeholder=str(customer_ids[0]) if len(customer_ids) else "")
    out = widgets.Output()

    def refresh(_: Any = None) -> None:
        out.clear_output(wait=True)
        with out:
            profile = build(box.value or box.placeholder)
            display(HTML(profile.to_html(lang)))
            fig = plot_timeline(profile, lang=lang)
            display(fig)
            plt.close(fig)

    box.observe(refresh, names="value")
    refresh()
    return widgets.VBox([box, out])
