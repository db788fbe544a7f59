"""Customer success (客户成功) for subscription and B2B businesses.

- :mod:`.data`: the subscriptions table checked into periods of constant MRR; header
  aliases; roll-up of accounts to their parent;
- :mod:`.mrr`: MRR at month ends, the monthly MRR bridge, ARR, NRR/GRR, logo churn,
  cohort NRR curves, expansion rate;
- :mod:`.signals`: per-account values on given days from data on or before each day;
- :mod:`.activation`: time to the key event, activation by cohort, early usage vs renewal;
- :mod:`.health`: the configurable health score (``health.yaml``), its check against the
  churn that followed, learned weights, history and declines;
- :mod:`.renewals`: renewal points and rate, the leakage-safe renewal model, renewals due
  with ARR at risk, the expansion list;
- :mod:`.workflow`: :func:`analyse` (everything in one call), ``metrics.json`` and the
  ``renewals`` export (computation only);
- :mod:`.text`: what the report says (cards, sentences, labelled tables);
- :mod:`.plotting`: the report's charts.
"""

from workbench.success.data import SubscriptionError, read_subscriptions, validate_subscriptions
from workbench.success.health import HealthConfig, HealthConfigError, load_config
from workbench.success.mrr import MrrTable, bridge, mrr_table, retention
from workbench.success.renewals import RenewalModel, renewals_at_risk
from workbench.success.workflow import SuccessResult, analyse, metrics, renewals_export

__all__ = [
    "HealthConfig",
    "HealthConfigError",
    "MrrTable",
    "RenewalModel",
    "SubscriptionError",
    "SuccessResult",
    "analyse",
    "bridge",
    "load_config",
    "metrics",
    "mrr_table",
    "read_subscriptions",
    "renewals_at_risk",
    "renewals_export",
    "retention",
    "validate_subscriptions",
]
