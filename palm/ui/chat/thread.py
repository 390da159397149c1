"""The open thread: messages, starter templates, the input, the streamed answer and the
follow-up suggestions.

The question is committed before the answer is produced; the answer streams into the
page as it comes and is committed afterwards. Every message (the person's, the LLM's, the
offline reader's) is shown as exactly its text: Markdown in it is escaped, so an answer
cannot fetch an image or show a link. Session state keys owned here: chat_input
(the chat box; templates fill it), chat_send (a clicked suggestion), chat_notice (why the
last message was refused), chat_draft (its text, put back in the box), chat_jump (the message
a search result points at), chat_shown (how many messages are shown).
"""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

from palm import chat
from palm.chat import TEMPLATES, MessageView
from palm.db import transaction
from palm.errors import PalmError
from palm.readers import DISCLAIMER
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.chat import data as chat_data
from palm.ui.text import plain

INPUT_KEY = "chat_input"
SEND_KEY = "chat_send"
NOTICE_KEY = "chat_notice"
DRAFT_KEY = "chat_draft"
JUMP_KEY = "chat_jump"
SHOWN_KEY = "chat_shown"
PAGE = 40
AVATARS = {"user": ":material/person:", "assistant": ":material/back_hand:"}


def _fill(prompt: str) -> None:
    st.session_state[INPUT_KEY] = prompt


def _send_later(text: str) -> None:
    st.session_state[SEND_KEY] = text


def templates() -> None:
    """Starter templates: a click fills the chat box (the person can edit, then send)."""
    st.caption("Start from a template")
    columns = st.columns(4)
    for index, template in enumerate(TEMPLATES):
        columns[index % 4].button(
            template.label,
            key=f"chat_template_{template.key}",
            on_click=_fill,
            args=(template.prompt,),
            width="stretch",
        )


def history(messages: list[MessageView]) -> None:
    """The thread (the newest PAGE messages, or around a search hit), oldest first."""
    jump = st.session_state.get(JUMP_KEY)
    ids = [m.id for m in messages]
    shown = int(st.session_state.get(SHOWN_KEY, PAGE))
    if jump in ids:
        shown = max(shown, len(ids) - ids.index(jump) + 3)
    more = len(messages) - shown
    if more > 0 and st.button(f"Show earlier messages ({more} more)", key="chat_more"):
        st.session_state[SHOWN_KEY] = shown + PAGE
        st.rerun()
    for message in messages[-shown:]:
        with st.chat_message(message.role, avatar=AVATARS.get(message.role)):
            if message.id == jump:
                st.caption(":material/search: found by your search")
            st.markdown(plain(message.text))
            if message.note:
                st.info(plain(message.note), icon=":material/info:")


def suggestions(messages: list[MessageView]) -> None:
    last = messages[-1] if messages else None
    if last is None or last.role != "assistant" or not last.suggestions:
        return
    columns = st.columns(len(last.suggestions))
    for index, text in enumerate(last.suggestions):
        columns[index].button(
            plain(text),
            key=f"chat_suggest_{index}",
            on_click=_send_later,
            args=(text,),
            width="stretch",
        )


def pending_answer(user: SessionUser, conversation_id: int, messages: list[MessageView]) -> None:
    """A question left unanswered (an earlier failure) can be answered now."""
    if (
        messages
        and messages[-1].role == "user"
        and st.button("Answer my last message", key="chat_answer_pending", icon=":material/replay:")
    ):
        with transaction(resources.session_factory()) as session:
            plan = chat.plan_pending(
                session, chat_data.cipher(), user.id, conversation_id, chat_data.memory()
            )
        if plan is not None:
            _answer(plan)
        st.rerun()


def notice() -> None:
    """Why the last message was refused (its text is back in the chat box)."""
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.warning(
            plain(f"{message} Your text is back in the box."), icon=":material/hourglass_top:"
        )


def incoming() -> str | None:
    """The chat box (pinned at the bottom) and what to send this run: typed, or a clicked
    suggestion. A refused message's text is put back in the box first."""
    draft = st.session_state.pop(DRAFT_KEY, None)
    if draft:
        _fill(draft)
    typed = st.chat_input("Ask the reader about your palm…", key=INPUT_KEY, max_chars=2000)
    text = st.session_state.pop(SEND_KEY, None) or typed
    return str(text) if text else None


def send(user: SessionUser, conversation_id: int, text: str) -> None:
    try:
        with transaction(resources.session_factory()) as session:
            plan = chat.start_turn(
                session,
                chat_data.cipher(),
                user.id,
                conversation_id,
                text,
                config=chat_data.memory(),
                limiter=chat_data.limiter(),
                per_minute=chat_data.messages_per_minute(),
            )
    except PalmError as error:
        st.session_state[NOTICE_KEY] = error.message
        st.session_state[DRAFT_KEY] = text
        st.rerun()
    st.session_state.pop(JUMP_KEY, None)
    with st.chat_message("user", avatar=AVATARS["user"]):
        st.markdown(plain(text))
    _answer(plan)
    st.rerun()


def _show_as_it_comes(pieces: Iterator[str]) -> None:
    """The answer so far, as plain text, redrawn as each piece arrives. The whole text is
    escaped each time: a link or a shortcode split across two pieces is still caught."""
    placeholder, text = st.empty(), ""
    for piece in pieces:
        text += piece
        placeholder.markdown(plain(text))


def _answer(plan: chat.TurnPlan) -> None:
    stream = chat.AnswerStream(plan, chat_data.chat_llm())
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        _show_as_it_comes(iter(stream))
    if stream.answer is not None:
        with transaction(resources.session_factory()) as session:
            chat.finish_turn(session, chat_data.cipher(), plan, stream.answer)


def footer() -> None:
    engine = "AI reader" if chat_data.chat_llm() is not None else "offline reader"
    st.caption(f"Answers by the {engine}. {DISCLAIMER}")


def load(user: SessionUser, conversation_id: int) -> list[MessageView]:
    return chat_data.messages(user, conversation_id)


def heading(user: SessionUser, conversation_id: int) -> None:
    """The thread's title, and the reading it is about."""
    row = chat_data.thread(user, conversation_id)
    st.subheader(plain(row.title) if row else "Conversation")
    if row and row.reading_label:
        st.caption(":material/back_hand: " + plain(f"About the reading {row.reading_label}"))
