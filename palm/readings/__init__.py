"""Readings, the write side: submitting photos, running an analysis, storing and deleting
readings, and keeping the trend rollups in step. Operations that own a transaction live in
``operations``; everything else takes a Session and never commits."""

from palm.readings.analysis import THUMBNAIL_SIDE
from palm.readings.bulk import MAX_BULK, owned_ids, remove_readings, submit_removal
from palm.readings.changes import Changes
from palm.readings.changes import mark_now as change_mark
from palm.readings.changes import prune as prune_changes
from palm.readings.changes import since as changes_since
from palm.readings.facets import sql_mask as types_mask_sql
from palm.readings.facets import types_mask
from palm.readings.operations import (
    prune_change_sequence,
    remove_reading,
    run_analysis,
    submit_batch,
)
from palm.readings.overlays import overlay_png
from palm.readings.patterns import pattern_passes
from palm.readings.removal import Removal, remove_all_readings
from palm.readings.rollups import bucket_of, rebuild
from palm.readings.store import (
    BatchItem,
    Cursor,
    Deletion,
    ReadingNotFoundError,
    ReadingRow,
    active_batches,
    batch_progress,
    finished_readings,
    get_reading,
    image_key_of,
    interpretations_of,
    list_readings,
)
from palm.readings.submission import (
    Batch,
    BatchLimits,
    DuplicateUploadError,
    Refusal,
    StorageUnavailableError,
    SubmissionInProgressError,
    Upload,
)
from palm.readings.summary import LatestReading, LinesPoint, ReadingSummary, reading_summary
from palm.readings.terms import key_of as term_key_of
from palm.readings.terms import rebuild as rebuild_terms
from palm.readings.terms import search_terms
from palm.readings.tracking import failure_message, follow_job_failure, follow_job_start

__all__ = [
    "MAX_BULK",
    "THUMBNAIL_SIDE",
    "Batch",
    "BatchItem",
    "BatchLimits",
    "Changes",
    "Cursor",
    "Deletion",
    "DuplicateUploadError",
    "LatestReading",
    "LinesPoint",
    "ReadingNotFoundError",
    "ReadingRow",
    "ReadingSummary",
    "Refusal",
    "Removal",
    "StorageUnavailableError",
    "SubmissionInProgressError",
    "Upload",
    "active_batches",
    "batch_progress",
    "bucket_of",
    "change_mark",
    "changes_since",
    "failure_message",
    "finished_readings",
    "follow_job_failure",
    "follow_job_start",
    "get_reading",
    "image_key_of",
    "interpretations_of",
    "list_readings",
    "overlay_png",
    "owned_ids",
    "pattern_passes",
    "prune_change_sequence",
    "prune_changes",
    "reading_summary",
    "rebuild",
    "rebuild_terms",
    "remove_all_readings",
    "remove_reading",
    "remove_readings",
    "run_analysis",
    "search_terms",
    "submit_batch",
    "submit_removal",
    "term_key_of",
    "types_mask",
    "types_mask_sql",
]
