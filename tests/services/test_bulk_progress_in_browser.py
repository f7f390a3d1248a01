"""The bulk-issue progress bar moves with a real worker's progress (issue 15, item 3).

In the main suite Celery runs eagerly, so a run has finished before its page is drawn. Here a
real solo worker on the services suite's PostgreSQL and Redis issues a class of 300 in chunks
of 10 while Debian's Chromium, signed in as the certifier, watches the run page: the bar is
seen at several values between nothing and everything, never goes back, and the finished page
lists every number issued. Screenshots in test-artifacts/bulk-progress-*.png.
"""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from certification.issuing import bulk
from certification.issuing.bulk import bulk_issue_start
from certification.models import BulkIssue, Certificate
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _missing
from tests.certification.factories import certifier, certifying_body
from tests.services.certification_support import qualified_class

pytestmark = [
    pytest.mark.services,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLASS_SIZE = 300
CHUNK = 10  # thirty chunks: the bar has twenty steps to be seen on
WIDE = {"width": 1366, "height": 900}


def _bar(page) -> tuple[int, int] | None:
    """The progress bar's (value, max) as the person sees it now; None while the page reloads."""
    try:
        return (
            tuple(
                page.evaluate(
                    "() => { const b = document.getElementById('bulk-bar');"
                    " return b ? [Math.round(b.value), Math.round(b.max)] : null; }"
                )
                or ()
            )
            or None
        )
    except Exception:  # the execution context is replaced when the finished run reloads
        return None


def _finished(page) -> bool:
    try:
        return page.locator("tr[data-issued]").count() > 0
    except Exception:  # the page is reloading
        return False


def test_the_certifier_watches_the_bulk_issue_progress_bar_move(live_server, workers, monkeypatch):
    problem = _missing()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(bulk, "BULK_CHUNK", CHUNK)
    body = certifying_body("GD")
    certifying = certifier(body)
    page_obj, application_ids = qualified_class(body, CLASS_SIZE, tag="watch")

    # The run is queued before any worker is up, so the page opens on a run that has not moved.
    run = bulk_issue_start(body=body, course_id=page_obj.pk, actor=certifying, title="进度班")
    assert run.total == CLASS_SIZE

    client = Client()
    client.force_login(certifying)  # a full sign-in, second factor included (tests/conftest.py)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=WIDE, locale="zh-CN")
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(live_server.url + reverse("certify_bulk_run", args=[run.pk]))
            assert _bar(page) == (0, CLASS_SIZE)

            workers.start()  # one solo worker

            seen: list[int] = []
            mid_shot = False
            deadline = time.monotonic() + 240
            while True:
                bar = _bar(page)
                if bar is not None:
                    value, most = bar
                    assert most == CLASS_SIZE
                    seen.append(value)
                    if 0 < value < CLASS_SIZE and not mid_shot:
                        page.screenshot(path=str(ARTIFACTS / "bulk-progress-mid-1366.png"))
                        mid_shot = True
                if _finished(page):
                    break  # the finished page, reloaded by the script, lists the numbers
                assert time.monotonic() < deadline, f"the run did not finish; bar seen at {seen}"
                page.wait_for_timeout(150)

            page.wait_for_load_state()
            final = _bar(page)
            assert final == (CLASS_SIZE, CLASS_SIZE)
            seen.append(final[0])
            state = page.locator('[data-field="state"]').inner_text()
            listed = page.locator("tr[data-issued]").evaluate_all(
                "rows => rows.map(r => [r.dataset.issued, r.querySelector('a').textContent])"
            )
            page.screenshot(path=str(ARTIFACTS / "bulk-progress-end-1366.png"))
        finally:
            browser.close()

    between = sorted({value for value in seen if 0 < value < CLASS_SIZE})
    print(f"bar seen at {between} between 0 and {CLASS_SIZE} ({len(seen)} samples)")
    assert len(between) >= 2, f"the bar was seen at {sorted(set(seen))} only"
    assert all(a <= b for a, b in zip(seen[:-1], seen[1:], strict=True)), (
        f"the bar went back: {seen}"
    )
    assert seen[-1] == CLASS_SIZE

    # The finished page says so and lists every number issued, each once, as a link.
    # (Asked of the database only now: queries made inside Playwright's block open a
    # connection of their own that would outlive the test.)
    assert state == "已完成。"
    assert BulkIssue.objects.get(pk=run.pk).status == BulkIssue.Status.FINISHED
    numbers = sorted(
        Certificate.objects.filter(application_id__in=application_ids).values_list(
            "number", flat=True
        )
    )
    assert len(set(numbers)) == CLASS_SIZE
    assert sorted(number for number, _text in listed) == numbers
    assert all(number == text.strip() for number, text in listed)
