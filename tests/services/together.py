"""Run one piece of work in several threads released at the same moment, on PostgreSQL."""

import threading

from django.db import connection
from django.utils import translation


def run_together(count: int, work, *, refused=(), timeout: float = 120) -> list:
    """Run ``work(i)`` for i in range(count), each thread with its own connection, all released
    by one barrier. Each outcome is ("ok", value), ("refused", message) for an exception of
    the ``refused`` types, or ("error", repr). A thread still running after ``timeout`` seconds
    fails the test rather than hanging the run (and the database flush after it)."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def runner(i):
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                outcomes[i] = ("ok", work(i))
        except refused as error:
            outcomes[i] = ("refused", str(error))
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertions
            outcomes[i] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"threads {stuck} still running after {timeout} s (a deadlock?)"
    return outcomes
