"""Benchmark: co-purchase recommendations for 200,000 customers over 5,000 items.

Run: ``python benchmarks/bench_recommend.py`` (prints seconds and peak memory). The issue's
target is under 60 s and under 4 GB.
"""

import resource
import sys

from workbench.recommend import scalability_check

if __name__ == "__main__":
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    items = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    result = scalability_check(n_customers=customers, n_items=items)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"{customers:,} customers x {items:,} items: {result['seconds']:.1f} s, "
          f"{result['rows']:,} recommendations, peak memory {peak_gb:.2f} GB")
