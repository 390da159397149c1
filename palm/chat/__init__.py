"""Chat: threads about one's readings, each turn saved before it is answered, a memory of
recent turns plus a rolling summary, offline and streamed LLM answers, search and export.
Functions take a Session and never commit; the page (or a script) owns the transaction."""

from palm.chat.answer import Answer, AnswerStream, TurnPlan, fallback_note
from palm.chat.export import (
    EXPORT_FORMAT,
    ThreadExport,
    collect,
    export_name,
    overlays_for,
    to_json,
    to_markdown,
)
from palm.chat.llm import CHAT_SYSTEM_PROMPT, ChatLLM, chat_system_prompt
from palm.chat.memory import MemoryConfig, memory_config
from palm.chat.messages import MessageView, count_messages, messages_of
from palm.chat.operations import EXPORT_KINDS, export_file
from palm.chat.pdf import to_pdf
from palm.chat.sealing import seal, unseal
from palm.chat.search import SearchFilters, SearchHit, search_messages
from palm.chat.suggest import TEMPLATES, Template
from palm.chat.threads import (
    ConversationNotFoundError,
    ThreadRow,
    create_conversation,
    delete_conversation,
    find_thread,
    folders_of,
    get_conversation,
    latest_open_thread,
    list_threads,
    move_to_folder,
    reading_choices,
    reading_label,
    rename,
    set_archived,
    set_pinned,
    set_tags,
    tags_of,
    thread_row,
)
from palm.chat.turns import (
    ChatRateLimitedError,
    Limiter,
    ask,
    finish_turn,
    plan_pending,
    start_turn,
)

__all__ = [
    "CHAT_SYSTEM_PROMPT",
    "EXPORT_FORMAT",
    "EXPORT_KINDS",
    "TEMPLATES",
    "Answer",
    "AnswerStream",
    "ChatLLM",
    "ChatRateLimitedError",
    "ConversationNotFoundError",
    "Limiter",
    "MemoryConfig",
    "MessageView",
    "SearchFilters",
    "SearchHit",
    "Template",
    "ThreadExport",
    "ThreadRow",
    "TurnPlan",
    "ask",
    "chat_system_prompt",
    "collect",
    "count_messages",
    "create_conversation",
    "delete_conversation",
    "export_file",
    "export_name",
    "fallback_note",
    "find_thread",
    "finish_turn",
    "folders_of",
    "get_conversation",
    "latest_open_thread",
    "list_threads",
    "memory_config",
    "messages_of",
    "move_to_folder",
    "overlays_for",
    "plan_pending",
    "reading_choices",
    "reading_label",
    "rename",
    "seal",
    "search_messages",
    "set_archived",
    "set_pinned",
    "set_tags",
    "start_turn",
    "tags_of",
    "thread_row",
    "to_json",
    "to_markdown",
    "to_pdf",
    "unseal",
]
