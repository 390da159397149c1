"""The monthly LLM budget: what this calendar month (UTC) has cost so far against what an
admin allows (the setting, or the value set on the Admin page). At 80% a warning (once a
month, audited); at 100% every LLM request is refused before it is sent, so readings and
chat answers come from the offline reader until the month rolls over or the budget is raised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction, Outcome, record
from palm.models import OpsSetting, UsageDaily, utcnow

BUDGET_KEY = "llm_monthly_budget_usd"
WARNED_KEY = "llm_budget_warned_month"
WARN_SHARE = 0.8
CHECK_SECONDS = 15.0  # how long a process trusts its last look at the month's spend


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class BudgetStatus:
    budget_usd: float
    spent_usd: float
    month: str  # "2026-12"
    source: str  # "setting" or who set it on the Admin page

    @property
    def share(self) -> float:
        if self.budget_usd <= 0:
            return 1.0 if self.spent_usd > 0 else 0.0
        return self.spent_usd / self.budget_usd

    @property
    def exhausted(self) -> bool:
        return self.share >= 1.0

    @property
    def warning(self) -> bool:
        return WARN_SHARE <= self.share < 1.0


def month_spend(session: Session, *, now: datetime) -> float:
    """This calendar month's cost so far, from the daily rollup (a month is ≤ 31 days × the
    models × the purposes rows, whatever the number of calls)."""
    since = month_start(now).date()
    total = session.scalar(select(func.sum(UsageDaily.cost_usd)).where(UsageDaily.day >= since))
    return float(total or 0.0)


def budget_status(session: Session, default_usd: float, *, now: datetime) -> BudgetStatus:
    row = session.get(OpsSetting, BUDGET_KEY)
    budget = float(row.value) if row is not None else default_usd
    return BudgetStatus(
        budget_usd=budget,
        spent_usd=month_spend(session, now=now),
        month=month_start(now).strftime("%Y-%m"),
        source=f"set by {row.updated_by}" if row is not None else "setting",
    )


def set_budget(session: Session, amount_usd: float, *, actor: str) -> None:
    """An admin's new monthly budget (audited with the old value); the caller commits."""
    if amount_usd < 0:
        raise ValueError("a budget cannot be negative")
    row = session.get(OpsSetting, BUDGET_KEY)
    before = row.value if row is not None else "setting"
    if row is None:
        row = OpsSetting(key=BUDGET_KEY, value="0", updated_by=actor)
        session.add(row)
    row.value = f"{amount_usd:.2f}"
    row.updated_by = actor[:254]
    record(
        session,
        actor=actor,
        action=AuditAction.LLM_BUDGET_CHANGED,
        outcome=Outcome.OK,
        target=BUDGET_KEY,
        detail=f"from {before} to {row.value} USD",
    )


def note_warning(session: Session, status: BudgetStatus) -> bool:
    """Record the 80% warning once per month; True when this call recorded it."""
    if status.share < WARN_SHARE:
        return False
    row = session.get(OpsSetting, WARNED_KEY)
    if row is not None and row.value == status.month:
        return False
    if row is None:
        session.add(OpsSetting(key=WARNED_KEY, value=status.month, updated_by="system"))
    else:
        row.value = status.month
    record(
        session,
        actor="system",
        action=AuditAction.LLM_BUDGET_WARNING,
        outcome=Outcome.OK,
        target=BUDGET_KEY,
        detail=f"{status.spent_usd:.2f} of {status.budget_usd:.2f} USD spent in {status.month}",
    )
    return True


def warn_if_due(factory: sessionmaker[Session], default_usd: float, *, now: datetime) -> bool:
    """Record the 80% warning if it is due (owns its transaction; workers call it on their
    maintenance and the console when it shows the budget)."""
    with transaction(factory) as session:
        return note_warning(session, budget_status(session, default_usd, now=now))


class BudgetGate:
    """``LLM.allowed`` for one process: looks at the month's spend at most every
    CHECK_SECONDS and refuses at 100%. Read-only: it runs inside other work (a chat turn's
    open transaction), where a write of its own could wait on that work's lock."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        default_usd: float,
        *,
        clock: Callable[[], datetime] = utcnow,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.factory = factory
        self.default_usd = default_usd
        self.clock = clock
        self.check_seconds = check_seconds
        self._checked_at = -float("inf")
        self._allowed = True
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        with self._lock:
            if time.monotonic() - self._checked_at >= self.check_seconds:
                self._allowed = self._check()
                self._checked_at = time.monotonic()
            return self._allowed

    def _check(self) -> bool:
        with transaction(self.factory) as session:
            return not budget_status(session, self.default_usd, now=self.clock()).exhausted
