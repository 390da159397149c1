"""Typed SQLAlchemy models, one module per area. Every schema change ships with an Alembic
migration; importing this package registers every table on `palm.db.Base.metadata`."""

from palm.models.accounts import AuditEvent, Preference, User
from palm.models.base import SealedJSON, SealedText, UnreadableDataError, UTCDateTime, utcnow
from palm.models.changes import ReadingChange
from palm.models.chat import Conversation, Message
from palm.models.explore import ReadingShare
from palm.models.jobs import Job
from palm.models.keys import KeyRotation
from palm.models.ops import OpsSetting
from palm.models.patterns import (
    ReadingPatternDaily,
    ReadingPatternFacetMonthly,
    ReadingPatternMonthly,
    TrendPatternDaily,
    TrendPatternFacetMonthly,
    TrendPatternMonthly,
)
from palm.models.readings import Image, Interpretation, LineResult, Reading, ReadingTerm
from palm.models.rollups import (
    ReadingDaily,
    ReadingDailyAll,
    ReadingFacetDaily,
    ReadingFacetMonthly,
    ReadingFacetPerDay,
    TrendDaily,
    TrendDailyAll,
    TrendFacetDaily,
    TrendFacetMonthly,
)
from palm.models.tokens import ApiToken
from palm.models.usage import UsageDaily, UsageRecord, UsageUserMonthly, forget_user_usage
from palm.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Conversation",
    "Image",
    "Interpretation",
    "Job",
    "KeyRotation",
    "LineResult",
    "Message",
    "OpsSetting",
    "Preference",
    "Reading",
    "ReadingChange",
    "ReadingDaily",
    "ReadingDailyAll",
    "ReadingFacetDaily",
    "ReadingFacetMonthly",
    "ReadingFacetPerDay",
    "ReadingPatternDaily",
    "ReadingPatternFacetMonthly",
    "ReadingPatternMonthly",
    "ReadingShare",
    "ReadingTerm",
    "SealedJSON",
    "SealedText",
    "TrendDaily",
    "TrendDailyAll",
    "TrendFacetDaily",
    "TrendFacetMonthly",
    "TrendPatternDaily",
    "TrendPatternFacetMonthly",
    "TrendPatternMonthly",
    "UTCDateTime",
    "UnreadableDataError",
    "UsageDaily",
    "UsageRecord",
    "UsageUserMonthly",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "forget_user_usage",
    "utcnow",
]
