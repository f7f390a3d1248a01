"""The administrator at a glance: each goal's count against its target with an accessible bar,
the verdict, the projected date and how it is worked out; the data tables as the template
wrote them; the figures counted before anyone opens the page."""

import datetime
import re

import pytest
from django.urls import reverse

from certification.goals.models import Goal
from portal.dashboard import services
from portal.dashboard.charts import Chart
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    return client


def test_each_goal_shows_now_x_of_target_a_bar_a_verdict_and_a_projection(admin_client):
    services.dashboard_refresh()
    page = admin_client.get(reverse("dashboard_national")).content.decode()
    goals = list(Goal.objects.order_by("deadline", "pk"))
    cards = re.findall(
        r'<section class="goal-card[^"]*" data-goal="(\d+)"(.*?)</section>', page, re.S
    )
    assert [int(pk) for pk, _body in cards] == [goal.pk for goal in goals]
    for goal, (_pk, body) in zip(goals, cards, strict=True):
        assert f"目标 {goal.target:,} 人" in body  # "now 0 of 10,000"
        bar = re.search(r'<div class="progress goal-bar" role="progressbar"([^>]*)>', body)[1]
        assert 'aria-valuemin="0"' in bar and f'aria-valuemax="{goal.target}"' in bar
        assert 'aria-valuenow="0"' in bar and "aria-labelledby=" in bar
        assert "data-goal-verdict" in body and "预测方法" in body
        # Nobody certified: the recent rate never reaches the target, and the page says so.
        assert "按近期增速无法达标" in body


def test_a_goal_that_is_growing_shows_its_projected_date(admin_client, monkeypatch):
    from certification.goals import selectors

    today = datetime.date(2026, 6, 1)
    real = selectors.goal_progress

    def growing(goal, *, today=today):
        progress = real(goal, today=today)
        return selectors.GoalProgress(
            **{
                **progress.__dict__,
                "people": 4000,
                "rate_per_month": 250.0,
                "verdict": "behind",
                "verdict_on": datetime.date(2028, 6, 1),
            }
        )

    monkeypatch.setattr(selectors, "goal_progress", growing)
    services.dashboard_refresh(today=today)
    page = admin_client.get(reverse("dashboard_national")).content.decode()
    assert "2028-06-01" in page
    assert "现有 <strong>4,000</strong> 人" in page
    assert 'aria-valuenow="4000"' in page
    assert "增加了 3,000 人" in page  # 250 a month over twelve months


def test_data_tables_write_values_as_the_template_did():
    chart = Chart(
        key="k", title="t", description="d", headers=[], rows=[[1, 2.5, None, "<b>", 1e-07]]
    )
    assert str(chart.rows_html) == (
        "<tr><td>1</td><td>2.5</td><td>—</td><td>&lt;b&gt;</td><td>0.0000001</td></tr>"
    )


def test_seed_demo_counts_the_figures_before_anyone_opens_the_dashboard(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    from django.core.management import call_command

    from portal.dashboard.models import Snapshot

    Snapshot.objects.all().delete()
    call_command("seed_demo", verbosity=0)
    assert Snapshot.objects.exists()
