"""Customer 360 (客户360): everything known about one customer, as an object and an HTML card.

:func:`customer_profile` gathers a customer's attributes (personal data masked unless
``show_pii=True``), purchases, spend by category and channel, and the shared results of the
run (:mod:`workbench.results`) when they are passed in: RFM segment and value tier
(``segments``), lifecycle stage (``stages``), P(alive) and CLV (``clv``), churn risk and
health (``churn``), last NPS and sentiment (``feedback``), and next-best offers. It never
computes a segment, stage or score itself: a result that is missing leaves its line blank. :meth:`CustomerProfile.to_html` renders a compact card in which every piece of text
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
from workbench.safety import escape_html, mask_text
from workbench.style import format_money_axis
from workbench.summary import up_to

__all__ = [
    "ATTRIBUTE_FIELDS",
    "Customer360",
    "CustomerProfile",
    "at_risk_customers",
    "cards_html",
    "customer_profile",
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
    clv: dict[str, Any] = field(default_factory=dict)  # clv result: prob_alive, clv, clv_tier, ...
    churn: dict[str, Any] = field(default_factory=dict)  # churn result: churn_probability, health_score, ...
    voice: dict[str, Any] = field(default_factory=dict)  # feedback result: last_nps, sentiment, ...
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame)  # the customer's answers, latest first
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
        parts.append(_facts("", self.status(lang)))
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
            recs = self.recommendations.sort_values("rank").head(5)
            why = "reason_label" if "reason_label" in recs else "reason" if "reason" in recs else None
            recs = [t("profile.offer_reason", lang, item=item, reason=reason) if why else str(item)
                    for item, reason in zip(recs["item"], recs[why] if why else recs["item"])]
            parts.append(f"<h4 style='{_H4}'>{esc(t('profile.recommendations', lang))}</h4>"
                         "<ol style='margin:2px 0'>" + "".join(f"<li>{esc(r)}</li>" for r in recs) + "</ol>")
        actions = self.next_actions(lang)
        if actions:
            parts.append(f"<h4 style='{_H4}'>{esc(t('profile.actions', lang))}</h4>"
                         "<ul style='margin:2px 0'>" + "".join(f"<li>{esc(a)}</li>" for a in actions) + "</ul>")
        return f"<div class='wb-card' style='{_CARD}'>" + "".join(parts) + "</div>"

    def status(self, lang: str = "en") -> list[tuple[str, str]]:
        """The card's summary lines: segment, value tier, stage, P(alive), CLV, churn risk,
        health, last NPS, sentiment and next-best offer, each "–" when its result is absent."""
        def code(key: str, value: Any) -> str:
            return "–" if value is None else (t(key, lang) if key in CATALOGUE else str(value))

        def number(key: str, shown: Any) -> str:
            value = {**self.clv, **self.churn, **self.voice}.get(key)
            return "–" if value is None else shown(value)

        seg, tier = self.segment.get("segment_cn8"), self.segment.get("value_tier")
        lines = [("profile.segment", code(f"seg.cn8.{seg}", seg)),
                 ("profile.tier", code(f"profile.value_tier.{tier}", tier)),
                 ("profile.stage", code(f"life.stage.{self.stage}", self.stage)),
                 ("profile.p_alive", number("prob_alive", lambda v: f"{v:.0%}")),
                 ("profile.clv", number("clv", lambda v: fmt_money(v, lang))),
                 ("profile.churn_risk", number("churn_probability", lambda v: f"{v:.0%}")),
                 ("profile.health", number("health_score", lambda v: f"{v:.0f}")),
                 ("profile.last_nps", number("last_nps", lambda v: t(
                     "profile.nps_on", lang, nps=f"{v:g}", date=_day(self.voice.get("last_feedback_at"))))),
                 ("profile.sentiment", code(f"fb.sentiment.{self.voice.get('sentiment')}",
                                            self.voice.get("sentiment")))]
        complaints = self.voice.get("complaint_categories")
        if complaints:
            from workbench.feedback.themes import CategoryRules

            rules = CategoryRules()
            lines.append(("profile.complaints", "、".join(
                rules.name(c, lang) if c in rules.keys else c for c in str(complaints).split(";"))))
        action = self.churn.get("recommended_action")
        if action:
            lines.append(("profile.churn_action", code(f"churn.action.{action}", action)))
        offer = "–"
        if len(self.recommendations):
            first = self.recommendations.sort_values("rank").iloc[0]
            offer = str(first["item"])
        lines.append(("profile.next_offer", offer))
        return [(t(key, lang), value) for key, value in lines]

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


def _day(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _known(row: dict[str, Any] | None) -> dict[str, Any]:
    """The row's values other than ``customer_id`` that are not missing (NA, NaN, NaT)."""
    if not row:
        return {}
    return {k: v for k, v in row.items() if k != "customer_id" and not _missing(v)}


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values
        return False


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
                     voice: pd.DataFrame | None = None, show_pii: bool = False) -> CustomerProfile:
    """The 360 view of one customer from whatever results are at hand.

    ``segments``, ``stages``, ``clv``, ``churn`` and ``voice`` are the run's shared results
    ``segments``, ``stages``, ``clv``, ``churn`` and ``feedback`` (``ctx.result(name)``;
    schemas in :mod:`workbench.results`), or frames with the same columns (``segments`` may
    be :func:`workbench.segmentation.segment` ``(...).customers``, ``stages``
    :meth:`workbench.lifecycle.PurchaseHistory.stages`). ``feedback`` is the raw answers
    table; ``recommendations`` the output of :meth:`workbench.recommend.CoPurchase.recommend`.
    Only transactions up to ``as_of`` count. Personal data (name, phone, email) are masked
    unless ``show_pii=True``.
    """
    cid = str(customer_id)
    tx = None
    if transactions is not None and len(transactions):
        tx = up_to(transactions[transactions["customer_id"].astype(str) == cid], as_of)
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
    seg = _known(_row(segments, cid))
    profile.segment = {k: seg[k] for k in ("segment_cn8", "segment_en11", "value_tier") if k in seg}
    stage = _known(_row(stages, cid))
    profile.stage = str(stage["stage"]) if "stage" in stage else None
    profile.clv = _known(_row(clv, cid))
    profile.churn = _known(_row(churn, cid))
    profile.voice = _known(_row(voice, cid))
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
                      stage_names: Sequence[str] = ("at_risk", "churned"), *,
                      spend: pd.Series | None = None) -> list[str]:
    """The ``n`` customers in ``stage_names`` with the highest spend so far.

    ``spend`` maps ``customer_id`` to spend (e.g. the segments result's ``monetary``);
    without it the ``spend`` column of ``stages`` is used. Ties keep the order of ``stages``.
    """
    pick = stages[stages["stage"].isin(list(stage_names))].copy()
    pick["customer_id"] = pick["customer_id"].astype(str)
    if spend is not None:
        values = pd.Series(spend.to_numpy(), index=spend.index.astype(str))
        pick["_spend"] = pick["customer_id"].map(values).fillna(0.0).astype(float)
    else:
        pick["_spend"] = pick["spend"].astype(float)
    pick = pick.sort_values("_spend", ascending=False, kind="stable")
    return pick["customer_id"].head(n).tolist()


def cards_html(profiles: Sequence[CustomerProfile], lang: str = "en") -> str:
    """Cards side by side (wrapping)."""
    return "<div>" + "".join(p.to_html(lang) for p in profiles) + "</div>"


def show_cards(profiles: Sequence[CustomerProfile], lang: str = "en") -> None:
    """Display the cards in the notebook (all text already escaped by ``to_html``)."""
    from IPython.display import HTML, display

    display(HTML(cards_html(profiles, lang)))


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
    voice: pd.DataFrame | None = None  # the shared feedback result (last NPS, sentiment)

    def profile(self, customer_id: Any, show_pii: bool = False) -> CustomerProfile:
        return customer_profile(customer_id, transactions=self.transactions, customers=self.customers,
                                feedback=self.feedback, as_of=self.as_of, segments=self.segments,
                                stages=self.stages, clv=self.clv, churn=self.churn,
                                recommendations=self.recommendations, voice=self.voice,
                                show_pii=show_pii)

    def at_risk(self, n: int = 10) -> list[str]:
        """The ``n`` at-risk or churned customers (``stages``) who spent most up to ``as_of``."""
        if self.stages is None:
            return []
        spend = None
        if self.transactions is not None and len(self.transactions):
            tx = up_to(self.transactions, self.as_of)
            spend = tx.groupby(tx["customer_id"].astype(str))["amount"].sum()
        elif "spend" not in self.stages:
            spend = pd.Series(dtype=float)
        return at_risk_customers(self.stages, n, spend=spend)

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
