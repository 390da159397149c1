"""Migration 0009_ops fills the LLM usage rollups from the usage rows already recorded, and
goes down again."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select, text

from palm.db import make_engine, make_session_factory
from palm.migrate import alembic_config, upgrade_to_head
from palm.models import UsageDaily, UsageRecord, UsageUserMonthly

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_existing_usage_is_rolled_up_and_new_rows_add_to_it(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "0008")
    engine = make_engine(db_url)
    assert "usage_daily" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, created_at) "
                "VALUES (1, 'ana@example.com', 'x', 'user', '2026-11-01 00:00:00.000000')"
            )
        )
        for ts, user_id, model, cost in [
            (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), 1, "a", 1.0),
            (datetime(2026, 12, 1, 0, 1, tzinfo=UTC), 1, "a", 2.0),
            (datetime(2026, 12, 1, 10, tzinfo=UTC), None, "a", 4.0),
            (datetime(2026, 12, 1, 11, tzinfo=UTC), 1, "b", 8.0),
        ]:
            connection.execute(
                text(
                    "INSERT INTO usage_records (ts, user_id, provider, model, purpose, "
                    "input_tokens, output_tokens, cached_tokens, cost_usd, latency_ms, "
                    "cache_hit, outcome) VALUES (:ts, :user_id, 'openai', :model, 'chat', "
                    "10, 5, 1, :cost, 0, FALSE, 'ok')"
                ),
                {"ts": ts, "user_id": user_id, "model": model, "cost": cost},
            )
    upgrade_to_head(db_url)
    with make_session_factory(engine)() as session:
        days = session.execute(
            select(
                UsageDaily.day, UsageDaily.model, UsageDaily.calls, UsageDaily.cost_usd
            ).order_by(UsageDaily.day, UsageDaily.model)
        ).all()
        assert [(str(d), m, c, cost) for d, m, c, cost in days] == [
            ("2026-11-30", "a", 1, 1.0),
            ("2026-12-01", "a", 2, 6.0),
            ("2026-12-01", "b", 1, 8.0),
        ]
        months = session.execute(
            select(
                UsageUserMonthly.month, UsageUserMonthly.user_id, UsageUserMonthly.cost_usd
            ).order_by(UsageUserMonthly.month, UsageUserMonthly.user_id)
        ).all()
        assert [tuple(row) for row in months] == [
            ("2026-11", 1, 1.0),
            ("2026-12", 0, 4.0),
            ("2026-12", 1, 10.0),
        ]
        session.add(
            UsageRecord(ts=NOON, provider="openai", model="b", purpose="chat", cost_usd=0.5)
        )
        session.commit()
        added = session.execute(
            select(UsageDaily.calls, UsageDaily.cost_usd).where(
                UsageDaily.model == "b", UsageDaily.day == NOON.date()
            )
        ).one()
        assert tuple(added) == (2, 8.5)
    command.downgrade(alembic_config(db_url), "0008")
    assert "usage_daily" not in inspect(engine).get_table_names()
    engine.dispose()
    upgrade_to_head(db_url)
