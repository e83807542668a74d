"""Text folding for search: case- and accent-insensitive, the same in every database."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """'Tomás ÁLVAREZ' -> 'tomas alvarez'. Done in Python so SQLite and PostgreSQL agree."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def patient_search_text(code: str, full_name: str, preferred_name: str, diagnosis: str) -> str:
    return fold(" | ".join((code, full_name, preferred_name, diagnosis)))


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where each word of ``query`` occurs in ``text``, compared as ``fold`` compares (any case or
    accent): (start, end) offsets into the original ``text``, sorted, for highlighting a search."""
    folded: list[str] = []
    origin: list[int] = []  # origin[i] is the index in text of folded character i
    for i, ch in enumerate(text):
        part = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).casefold()
        folded.append(part)
        origin.extend([i] * len(part))
    flat = "".join(folded)
    spans: set[tuple[int, int]] = set()
    for word in {fold(w) for w in query.split()}:
        if not word:
            continue
        start = flat.find(word)
        while start >= 0:
            end = start + len(word) - 1
            spans.add((origin[start], origin[end] + 1))
            start = flat.find(word, start + 1)
    return sorted(spans)
