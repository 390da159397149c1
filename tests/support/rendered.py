"""What a Markdown body shows a person, for assertions on AppTest elements: the text it
renders to, and any markup in it that would become a link, an image, HTML, math or one of
Streamlit's own directives.

CommonMark is parsed by markdown-it-py. Streamlit's additions are recognised where Streamlit
applies them: ``$math$`` and ``:color[text]`` directives on the source (an escape defeats
them), GFM autolinks, emoji and icon shortcodes and arrows on the parsed text (an escape does
not: palm.ui.text puts invisible word joiners in them, which a reader does not see).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
#: Tokens that make something other than text appear (or fetch something).
ACTIVE = {"link_open", "image", "html_inline", "html_block", "autolink"}
UNESCAPED = r"(?<!\\)"
#: Characters a reader never sees: palm.ui.text's word joiners, and the bidirectional controls
#: it drops.
INVISIBLE = re.compile("[\u2060\u202a-\u202e\u2066-\u2069]")
IN_SOURCE = {
    "math": re.compile(UNESCAPED + r"\$[^$\n]+" + UNESCAPED + r"\$"),
    "directive": re.compile(UNESCAPED + r":[a-z][a-z0-9-]*" + UNESCAPED + r"\["),
}
IN_TEXT = {
    "autolink literal": re.compile(r"(?i)\b(?:https?://|www\.)"),
    "e-mail autolink": re.compile(r"[\w.+-]@[\w-]+\.\w"),
    "shortcode": re.compile(r":[\w+-]+:"),
    "arrow": re.compile(r"(?:^|\s)(?:<->|->|<-|--|>=|<=|~=)(?:\s|$)"),
}


def _flat(tokens: list[Token]) -> list[Token]:
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flat(token.children or []))
    return flat


def _parsed_text(source: str) -> str:
    parts: list[str] = []
    for token in _flat(MARKDOWN.parse(source)):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak", "paragraph_close"):
            parts.append("\n")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
    return "".join(parts).strip("\n")


def readable(text: str) -> str:
    """``text`` without the characters a reader never sees."""
    return INVISIBLE.sub("", text)


def text_of(source: str) -> str:
    """The text a person reads (line breaks and block breaks as newlines; invisible word
    joiners and bidirectional controls left out)."""
    return readable(_parsed_text(source))


def active_markup(source: str) -> list[str]:
    """Every construct in ``source`` that would render as more than text."""
    found = [token.type for token in _flat(MARKDOWN.parse(source)) if token.type in ACTIVE]
    found += [name for name, pattern in IN_SOURCE.items() if pattern.search(source)]
    text = _parsed_text(source)
    return found + [name for name, pattern in IN_TEXT.items() if pattern.search(text)]
