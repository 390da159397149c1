"""The History table shows every date format a person can pick (its own display syntax)."""

from palm.ui.history import TABLE_DATE_FORMATS
from palm.vocabulary import DATE_FORMATS


def test_every_date_format_a_person_can_pick_has_a_table_format() -> None:
    assert set(TABLE_DATE_FORMATS) == set(DATE_FORMATS)
