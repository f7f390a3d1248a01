"""How long it takes to render one certificate PDF, with the fast QR code and ReportLab's own.

    DJANGO_SETTINGS_MODULE=portal.settings .venv/bin/python bench/pdf.py
    BENCH_PDFS=1000 BENCH_PROCESSES=2 .venv/bin/python bench/pdf.py

Renders BENCH_PDFS certificates (default 300) with photo, seal and signature, each with its own
holder, number and verification URL, once per mode: ``qr="fast"`` (the product's: the batch's
static layers drawn once as a template, each holder's page its own few objects on top) and
``qr="reportlab"`` (the baseline measured in the same run: the whole page drawn by ReportLab
for every holder, with ReportLab's QrCodeWidget). Then the same fast rendering spread over
BENCH_PROCESSES worker processes (default 2), the way a Celery pool would issue a batch,
projected to 10,000 certificates.

Target: 10,000 certificates end to end in 60 s on 2 cores is 12 ms of CPU per certificate;
the PDF may take half of that, 6 ms.
"""

import dataclasses
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from certification.issuing.pdf import certificate_pdf  # noqa: E402
from tests.certification.issuing.pdf import samples  # noqa: E402

TARGET_MS = 6.0
BATCH = 10_000
PDFS = int(os.environ.get("BENCH_PDFS", "300"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "2"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def inputs(count: int, *, start: int = 0) -> list:
    """Certificates that differ the way a real batch does: holder, number, URL, photo."""
    base = samples.certificate()
    photo = samples.portrait_jpeg()
    result = []
    for i in range(start, start + count):
        number = f"GD-J-2026-{i:06d}"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        result.append(
            dataclasses.replace(
                base,
                number=number,
                holder_name=name,
                # A different file each time, so nothing can be cached across holders.
                holder_photo=photo + i.to_bytes(4, "big"),
                verify_url=f"https://portal.example/verify/{number}/",
            )
        )
    return result


def timed(batch: list, qr: str) -> list[float]:
    """Milliseconds of CPU time for each certificate in ``batch``."""
    times = []
    for data in batch:
        started = time.process_time()
        certificate_pdf(data, qr=qr)
        times.append((time.process_time() - started) * 1000)
    return times


def report(label: str, times: list[float]) -> float:
    mean = statistics.fmean(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"{label:<34} mean {mean:6.2f} ms   median {statistics.median(times):6.2f} ms   "
        f"p95 {p95:6.2f} ms"
    )
    return mean


def _worker_start() -> None:
    certificate_pdf(samples.certificate())  # font and seal caches warm before timing


def _render_chunk(bounds: tuple[int, int]) -> tuple[int, float]:
    start, count = bounds
    batch = inputs(count, start=start)
    started = time.process_time()
    for data in batch:
        certificate_pdf(data)
    return count, time.process_time() - started


def parallel(total: int, processes: int) -> tuple[float, float]:
    """Wall seconds for ``total`` PDFs over ``processes`` workers, and their CPU seconds."""
    chunk = max(1, total // (processes * 4))
    chunks = [(start, min(chunk, total - start)) for start in range(0, total, chunk)]
    with ProcessPoolExecutor(processes, initializer=_worker_start) as pool:
        list(pool.map(_wait_for_all_workers, range(processes)))
        started = time.perf_counter()
        results = list(pool.map(_render_chunk, chunks))
        wall = time.perf_counter() - started
    assert sum(count for count, _cpu in results) == total
    return wall, sum(cpu for _count, cpu in results)


def _wait_for_all_workers(_index: int) -> None:
    """One short task per worker before the clock starts, so start-up is not timed."""
    time.sleep(0.5)


def main() -> None:
    started = time.perf_counter()
    certificate_pdf(samples.certificate())
    first = time.perf_counter() - started
    print(f"first certificate in this process (loads the font): {first:.2f} s")

    batch = inputs(PDFS)
    certificate_pdf(batch[0], qr="reportlab")  # warm the baseline's imports too
    print(f"{PDFS} certificates per mode, CPU time per PDF:")
    fast = report('qr="fast"', timed(batch, "fast"))
    baseline = report('qr="reportlab" (baseline)', timed(batch, "reportlab"))
    print(
        f"speed-up of the template and fast QR: {baseline / fast:.2f}x "
        f"({baseline - fast:.2f} ms saved)"
    )

    big = samples.portrait_jpeg(size=(3000, 4000))
    large = [dataclasses.replace(data, holder_photo=big) for data in batch[:50]]
    report("fast, 12 MP photo not yet resized", timed(large, "fast"))

    if PROCESSES > 1:
        total = max(PDFS, 200)
        wall, cpu = parallel(total, PROCESSES)
        print(
            f"{PROCESSES} processes: {total} PDFs in {wall:.2f} s wall, {cpu:.2f} s CPU "
            f"-> {BATCH:,} in about {wall / total * BATCH:.0f} s wall here, "
            f"{cpu / total * BATCH / PROCESSES:.0f} s on {PROCESSES} idle cores"
        )

    verdict = "meets" if fast <= TARGET_MS else "MISSES"
    print(f'target: <= {TARGET_MS:.1f} ms per PDF with qr="fast": {verdict} ({fast:.2f} ms)')


if __name__ == "__main__":
    main()
