"""The one list of reports: what each needs, produces and uses.

Everything that used to keep its own list of reports reads this one: the runner (which
notebooks exist, in which order they run), the loader's skip rules (``schema``), the overview
(which other reports it summarises), the locale catalogue (which domain modules to load) and
the index (card order and titles). Adding a report means adding one :class:`Report` here and
one notebook ``notebooks/<notebook>.ipynb``.

Run order follows the declared ``uses``: a report runs after every report whose results it
uses; reports that do not depend on each other run side by side. The runner starts a report as
soon as the reports it uses have finished (:func:`uses_among`) and the reports it ``awaits``
have started (:func:`awaits_among`), taking the ready ones in :func:`run_order`: the report
with the longest chain of reports waiting on it first.

``awaits`` is for a result read late: churn scores every customer first (most of its time) and
only then reads the campaigns' measured uplift, so it starts beside campaigns instead of after
it; feedback scores the comments before it reads the segments, and personalization reads CLV,
churn and feedback only for its customer cards. Reading such a
result (:meth:`workbench.report.ReportContext.result`) waits while its report is still
running; the runner marks a running report in ``<output>/.running/<topic>``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REPORTS", "Report", "awaits_among", "by_topic", "run_order", "run_waves", "topics",
           "uses_among"]


@dataclass(frozen=True)
class Report:
    """One report of the suite.

    Attributes
    ----------
    topic
        Stable code of the report: the ``metrics.json`` key and the ``--notebooks`` name.
    notebook
        File stem in ``notebooks/`` (``00_overview``); the HTML report has the same stem.
    needs
        Tables the report needs; an inner tuple means "any one of these".
    columns
        Per table, columns of which at least one must be present and hold values.
    produces
        Names of the per-customer results it shares (``results/<name>.parquet``, schemas in
        :mod:`workbench.results`); every report also writes its ``metrics.json`` part.
    uses
        Topics whose results the report reads; it runs after them.
    awaits
        Topics whose results the report reads only late: it may start once they have started,
        and reading their result waits until they have ended.
    exports
        File stems of its ``exports/*.csv``.
    locale
        Its module in ``workbench/locales`` (None: its text lives in ``core``).
    seconds
        Typical seconds of the report alone on the 200,000-customer demo (``bench_suite.py``);
        only the run order reads it (:func:`run_order`).
    """

    topic: str
    notebook: str
    needs: tuple[str | tuple[str, ...], ...]
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    produces: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    awaits: tuple[str, ...] = ()
    exports: tuple[str, ...] = ()
    locale: str | None = None
    seconds: float = 10.0

    @property
    def title_key(self) -> str:
        """Catalogue key of the report's title."""
        return f"topic.{self.topic}"


_ANY_TABLE = ("transactions", "customers", "feedback", "events", "subscriptions")
_DOMAINS = ("segmentation", "lifecycle", "clv", "churn", "feedback", "personalization",
            "customer_success", "campaigns")

#: Every report, in the order of the index.
REPORTS: tuple[Report, ...] = (
    Report("actions", "08_actions", needs=(("transactions", "customers"),),
           uses=_DOMAINS, exports=("actions",), locale="actions", seconds=5),
    Report("overview", "00_overview", needs=(("transactions", "customers"),),
           uses=_DOMAINS, exports=("overview",), locale="overview", seconds=7),
    Report("data_quality", "01_data_quality", needs=(_ANY_TABLE,),
           exports=("data_quality",), seconds=3),
    Report("segmentation", "02_segmentation", needs=("transactions",),
           produces=("segments",), exports=("segmentation",), locale="segmentation",
           seconds=22),
    Report("lifecycle", "03_lifecycle", needs=("transactions",), produces=("stages",),
           exports=("lifecycle",), locale="lifecycle", seconds=15),
    Report("clv", "04_clv", needs=("transactions",), produces=("clv",), uses=("lifecycle",),
           exports=("clv",), locale="clv", seconds=15),
    Report("churn", "05_churn", needs=(("transactions", "customers"),), produces=("churn",),
           uses=("lifecycle", "feedback"), awaits=("segmentation", "campaigns"),
           exports=("churn",), locale="churn", seconds=60),
    Report("feedback", "06_feedback", needs=("feedback",), produces=("feedback", "comments"),
           awaits=("segmentation",),
           exports=("feedback",), locale="feedback", seconds=14),
    Report("personalization", "07_personalization", needs=("transactions",),
           columns=(("transactions", ("product_id", "category")),),
           produces=("recommendations",), uses=("segmentation", "lifecycle"),
           awaits=("clv", "churn", "feedback"),
           exports=("recommendations",), locale="personalization", seconds=20),
    Report("customer_success", "09_customer_success", needs=("subscriptions",),
           produces=("renewals",), exports=("renewals",), locale="customer_success",
           seconds=10),
    Report("campaigns", "10_campaigns", needs=("campaigns",), uses=("segmentation", "lifecycle"),
           produces=("campaign_uplift",), exports=("campaigns", "do_not_contact", "next_campaign"),
           locale="campaigns", seconds=40),
)


def topics() -> list[str]:
    """Every report's topic, in index order."""
    return [report.topic for report in REPORTS]


def by_topic(topic: str) -> Report:
    """The report declared for ``topic``; ``KeyError`` naming the known ones otherwise."""
    for report in REPORTS:
        if report.topic == topic:
            return report
    raise KeyError(f"no report {topic!r}; the reports are {', '.join(topics())}")


def run_waves(selected: list[str]) -> list[list[str]]:
    """The selected topics grouped into waves: each wave uses (or awaits) only results of
    earlier waves.

    Uses of reports that are not selected are ignored (their results come from elsewhere or
    are absent, which each report handles). Within a wave, index order is kept.
    """
    chosen = [t for t in topics() if t in set(selected)]
    done: set[str] = set()
    waves: list[list[str]] = []
    while len(done) < len(chosen):
        wave = [t for t in chosen if t not in done
                and all(u in done or u not in chosen for u in _before(t))]
        if not wave:
            cycle = sorted(set(chosen) - done)
            raise RuntimeError(f"reports use each other in a cycle: {', '.join(cycle)}")
        waves.append(wave)
        done.update(wave)
    return waves


def _before(topic: str) -> tuple[str, ...]:
    """Topics that must at least start before ``topic``: those it uses and those it awaits."""
    report = by_topic(topic)
    return report.uses + report.awaits


def awaits_among(topic: str, selected: list[str]) -> set[str]:
    """The selected topics ``topic`` awaits: it can start when they have started."""
    chosen = set(selected)
    return {u for u in by_topic(topic).awaits if u in chosen and u != topic}


def uses_among(topic: str, selected: list[str]) -> set[str]:
    """The selected topics whose results ``topic`` uses: it can start when they have ended."""
    chosen = set(selected)
    return {u for u in by_topic(topic).uses if u in chosen and u != topic}


def run_order(selected: list[str]) -> list[str]:
    """The selected topics by priority: the longest chain of seconds (:attr:`Report.seconds`)
    from a topic's start to the end of the last report waiting on it first, then the most
    reports waiting on it, then index order.

    A topic's chain is its own seconds plus the longest chain of the reports that use it; a
    report that awaits it only needs it started, so it counts from the topic's start. Starting
    the head of the longest chain first keeps the cores busy to the end: on the suite,
    segmentation and lifecycle (feedback, churn, personalization and actions wait on them)
    start before data quality, which nothing waits on, and churn (60 s) before CLV (15 s),
    though as many reports wait on each. Raises ``RuntimeError`` for a cycle, like
    :func:`run_waves`.
    """
    chosen = [t for t in topics() if t in set(selected)]
    users = {t: [u for u in chosen if t in uses_among(u, chosen)] for t in chosen}
    awaiting = {t: [u for u in chosen if t in awaits_among(u, chosen)] for t in chosen}
    chain: dict[str, float] = {}
    waiting: dict[str, set[str]] = {}
    for topic in reversed(_dependency_order(chosen)):  # raises for a cycle
        after = max((chain[u] for u in users[topic]), default=0.0)
        # an awaiting report can start with this one: it must start first, by a hair
        beside = max((chain[u] for u in awaiting[topic]), default=0.0)
        chain[topic] = max(by_topic(topic).seconds + after, beside + 1e-6 if beside else 0.0)
        both = users[topic] + awaiting[topic]
        waiting[topic] = set(both).union(*(waiting[u] for u in both))
    index = {t: i for i, t in enumerate(chosen)}
    return sorted(chosen, key=lambda t: (-chain[t], -len(waiting[t]), index[t]))


def _dependency_order(selected: list[str]) -> list[str]:
    """The selected topics in an order where each comes after every topic it uses
    (``RuntimeError`` for a cycle, from :func:`run_waves`)."""
    return [topic for wave in run_waves(selected) for topic in wave]
