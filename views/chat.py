"""Chat: talk with the reader about your palm; threads, templates, search and export."""

import streamlit as st

from palm.ui import auth
from palm.ui.chat import sidebar as chat_sidebar
from palm.ui.chat import thread as chat_thread
from palm.ui.chat import tools as chat_tools

user = auth.require_role()
conversation_id = chat_sidebar.resolve_current(user)
with st.sidebar:
    st.subheader("Conversations")
    chat_sidebar.new_thread_form(user)
    chat_sidebar.thread_list(user)

st.title("Chat with the reader")
chat_tools.search_panel(user)
if conversation_id is None:
    st.info(
        "Start a **New conversation** in the sidebar, or open a reading and choose "
        "**Ask about this reading**."
    )
    chat_tools.export_buttons(user, None)
    chat_thread.footer()
    st.stop()

text = chat_thread.incoming()
title, tools = st.columns([4, 1], vertical_alignment="bottom")
with title:
    chat_thread.heading(user, conversation_id)
with tools:
    chat_tools.export_buttons(user, conversation_id)
messages = chat_thread.load(user, conversation_id)
if not messages and not text:
    chat_thread.templates()
chat_thread.history(messages)
if text:
    chat_thread.send(user, conversation_id, text)  # streams the answer here, then reruns
chat_thread.pending_answer(user, conversation_id, messages)
chat_thread.suggestions(messages)
chat_thread.notice()
chat_thread.footer()
