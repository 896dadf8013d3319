"""Issue 14 (DOC-1): how long a certificate of motor insurance takes to render (HTML, plain text and the PDF
by WeasyPrint), the work a policy's first document listing or the daily `documents_issue` job does per
document. Prints the first render (which imports WeasyPrint and loads its fonts) and the median, 95th
centile and maximum of the next N. Target: a certificate PDF in under 300 ms.

    .venv/bin/python benchmarks/document_render.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from covernote.documents.domain import certificate_facts
from covernote.documents.usecases import render
from covernote.kernel.money import Money
from covernote.policy.domain.codec import risk_to_dict
from covernote.policy.domain.model import Actor, Customer, Policy, PolicyTransaction
from covernote.policy.domain.risk import Driver, Risk, Vehicle, make_answers
from covernote.products.store.files import load_catalogue

ROOT = Path(__file__).resolve().parents[1]


def sample_facts() -> dict[str, Any]:
    """The facts of a new ECO policy's certificate, as the documents use case builds them at issue."""
    product = load_catalogue(ROOT / "products").by_ref("ECO@2026.7")
    at = datetime(2026, 11, 22, 10, tzinfo=UTC)
    risk = Risk(Vehicle("AB12CDE", "Toyota", "Yaris", 2019, Money.of("9000"), abi_group=12),
                (Driver("d1", "Ann Example", date(1985, 3, 4), date(2004, 6, 1)),), "LS1 4AB",
                make_answers({"annual_mileage": 8000, "ncd_years": 5, "use": "sdp_commuting"}))
    txn = PolicyTransaction("txn_1", "pol_1", 1, 1, "new_business", at.date(), at, Actor("system", "admin"), "bench",
                            Money.zero(), Money.zero(), (), (), {
                                "product": product.ref, "term": {"start": "2026-11-22", "end": "2027-11-22"},
                                "risk": risk_to_dict(risk), "ipt_rate": "0.12", "concluded_on": "2026-11-22",
                                "documents_on": "2026-11-22"})
    policy = Policy("pol_1", "CN000000001", "cus_1", "ECO", True, at.date(), "tok", at, transactions=[txn])
    customer = Customer("cus_1", "Ann Example", "ann@example.org", None, None, "1 High Street, Leeds", "LS1 4AB", at)
    return certificate_facts(policy, txn, customer, product, at.date())


def time_certificates(n: int, cpu: list[float] | None = None) -> tuple[float, list[float]]:
    """Seconds for the first render (WeasyPrint's import and fonts included), then each of `n` more, sorted.
    Each render makes the HTML, the plain text and the PDF, as issuing a certificate does. `cpu`, if given,
    receives each of the `n` renders' CPU seconds (this process's), sorted: on a busy machine, the wall time
    less the time spent waiting for a core."""
    facts = sample_facts()
    start = time.perf_counter()
    render.render("certificate", facts, "Certificate of motor insurance")
    first = time.perf_counter() - start
    times, used = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        render.render("certificate", facts, "Certificate of motor insurance")
        times.append(time.perf_counter() - start)
        used.append(time.process_time() - start_cpu)
    if cpu is not None:
        cpu.extend(sorted(used))
    return first, sorted(times)


def main(n: int) -> None:
    first, times = time_certificates(n)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"certificate (HTML, text and PDF): first {first * 1000:.0f} ms (with WeasyPrint's import); "
          f"then of {n}: median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
