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
