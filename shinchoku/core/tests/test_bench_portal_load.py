"""bench/portal_load.py reads wrk's report right and judges the targets from the figures.

The benchmark itself runs minutes and is not a test (bench/README.md); what could silently go
wrong in it is reading wrk's text: units (µs, ms, s), the error lines, a missing percentile.
"""

from __future__ import annotations

import math

from bench.portal_load import Row, _targets, parse_wrk

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8933/nothing
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.82ms    1.61ms  12.71ms   90.28%
    Req/Sec     2.53k   306.82     3.22k    90.00%
  Latency Distribution
     50%  460.00us
     75%    1.98ms
     90%    3.32ms
     99%    1.02s
  2523 requests in 1.00s, 1.25MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 17
Requests/sec:   2518.53
Transfer/sec:      1.25MB
"""


def test_wrk_report_is_read_with_its_units_and_errors() -> None:
    rate, p50, p99, errors = parse_wrk(WRK_OUTPUT)
    assert rate == 2518.53
    assert math.isclose(p50, 0.46) and math.isclose(p99, 1020.0)
    assert errors == 17 + 3 + 2


def test_a_report_without_figures_is_no_success() -> None:
    rate, p50, p99, errors = parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
    assert rate == 0.0 and math.isnan(p50) and math.isnan(p99) and errors == 0


def _result(app_rate: float, app_p99: float) -> dict[str, object]:
    rows = [
        Row("report", "app", "", 47_000, app_rate, 5.0, app_p99, 0, app_rate / 100_000),
        Row("report", "app+nginx", "", 47_000, 80_000, 0.7, 4.0, 0, 0.8),
        Row("report", "export", "", 47_000, 99_000, 0.5, 3.0, 0, 0.99),
        Row("pdf", "app", "", 185_000, 4_000, 5.0, 30.0, 0, 0.15),
    ]
    return {
        "rows": rows,
        "publication": {"publish_s": 0.2, "files": 7},
        "rss_mb": [90.0, 91.0],
        "partial": False,
    }


def test_targets_follow_the_figures() -> None:
    met = dict((text.split(" (")[0], ok) for text, ok in _targets(_result(12_000, 20.0)))
    assert all(met.values()), met
    missed = _targets(_result(8_000, 20.0))
    assert not missed[0][1]  # 8 % of nginx
    assert not _targets(_result(12_000, 80.0))[0][1]  # p99 over 50 ms
