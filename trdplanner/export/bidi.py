"""Right-to-left text for reportlab, which draws glyphs left to right in the order it is given.

Two steps turn a logical string into what the page should show:

- Arabic letters take their joined (initial, medial, final) forms. The forms come from the
  Unicode presentation-form blocks, which DejaVu Sans carries; the table is built from the
  Unicode database at import, so no letter list is kept by hand.
- Runs of right-to-left characters are reversed into visual order, a simplified form of the
  Unicode bidirectional algorithm for a left-to-right page (our layout is left to right):
  strong letters decide the direction, numbers after right-to-left text stay left to right
  inside it, neutrals between two right-to-left runs join them, brackets are mirrored and
  combining marks stay with their base letter.

Reordering is done per line before reportlab wraps the text, so a right-to-left run long
enough to wrap reads its lines bottom-up; names, labels and short answers, the text that
matters most on a printed sheet, fit on a line and come out right. Text with no
right-to-left character is returned unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_RTL_PRESENT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ARABIC_PRESENT = re.compile("[\u0600-\u06ff]")

_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<", "«": "»", "»": "«"}

_TATWEEL = "\u0640"
_LAM = "\u0644"
_ALEFS = "\u0622\u0623\u0625\u0627"  # the alefs lam fuses with; other ligatures are optional
_FORMS = ("isolated", "final", "initial", "medial")


@cache
def _presentation_forms() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(letter(s), form) -> presentation character, and letter -> joining type ("D" or "R")."""
    forms: dict[tuple[str, str], str] = {}
    for start, end in ((0xFE70, 0xFEFF), (0xFB50, 0xFDFF)):
        for code in range(start, end + 1):
            decomposition = unicodedata.decomposition(chr(code)).split()
            if len(decomposition) < 2 or decomposition[0][1:-1] not in _FORMS:
                continue
            base = "".join(chr(int(part, 16)) for part in decomposition[1:])
            # The basic block first: its forms are the ones fonts carry; later duplicates are variants.
            forms.setdefault((base, decomposition[0][1:-1]), chr(code))
    joining: dict[str, str] = {}
    for (base, form), _ in forms.items():
        if len(base) != 1:
            continue
        if form in ("initial", "medial"):
            joining[base] = "D"
        else:
            joining.setdefault(base, "R")
    return forms, joining


def _is_transparent(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Cf")


def shape_arabic(text: str) -> str:
    """Arabic letters in their joined presentation forms (lam-alef as its ligature)."""
    if not _ARABIC_PRESENT.search(text):
        return text
    forms, joining = _presentation_forms()

    def join_type(ch: str | None) -> str:
        if ch is None:
            return "U"
        if ch == _TATWEEL:
            return "C"
        return joining.get(ch, "U")

    chars = list(text)
    solid = [i for i, ch in enumerate(chars) if not _is_transparent(ch)]
    out = list(chars)
    skip: set[int] = set()
    for pos, i in enumerate(solid):
        if i in skip:
            continue
        ch = chars[i]
        kind = join_type(ch)
        if kind in ("U", "C"):
            continue
        prev_ch = chars[solid[pos - 1]] if pos > 0 else None
        next_index = solid[pos + 1] if pos + 1 < len(solid) else None
        next_ch = chars[next_index] if next_index is not None else None
        joins_prev = join_type(prev_ch) in ("D", "C")
        if (
            ch == _LAM
            and next_ch is not None
            and next_ch in _ALEFS
            and (ligature := forms.get((ch + next_ch, "isolated")))
        ):
            assert next_index is not None
            out[i] = forms.get((ch + next_ch, "final"), ligature) if joins_prev else ligature
            out[next_index] = ""
            skip.add(next_index)
            continue
        joins_next = kind == "D" and join_type(next_ch) in ("D", "R", "C")
        form = {
            (True, True): "medial",
            (True, False): "final",
            (False, True): "initial",
            (False, False): "isolated",
        }[(joins_prev, joins_next)]
        out[i] = forms.get((ch, form)) or forms.get((ch, "isolated")) or ch
    return "".join(out)


def _classes(line: str) -> list[str]:
    """Each character's direction: "L", "R", "N" (neutral) or "#" (a number)."""
    out: list[str] = []
    for ch in line:
        b = unicodedata.bidirectional(ch)
        if b in ("R", "AL"):
            out.append("R")
        elif b == "L":
            out.append("L")
        elif b in ("EN", "AN"):
            out.append("#")
        elif b == "NSM":
            out.append(out[-1] if out else "L")
        else:
            out.append("N")
    return out


def _levels(line: str) -> list[int]:
    kinds = _classes(line)
    n = len(kinds)
    # A separator between two digits belongs to the number ("1,000", "3.5").
    for i in range(1, n - 1):
        if kinds[i] == "N" and kinds[i - 1] == "#" and kinds[i + 1] == "#" and line[i] in ",.:/":
            kinds[i] = "#"
    # Numbers take the direction of the last strong letter before them.
    last = "L"
    for i, k in enumerate(kinds):
        if k in ("L", "R"):
            last = k
        elif k == "#":
            kinds[i] = "L" if last == "L" else "RN"
    # Neutrals between two right-to-left sides join them; otherwise the page direction wins.
    i = 0
    while i < n:
        if kinds[i] != "N":
            i += 1
            continue
        j = i
        while j < n and kinds[j] == "N":
            j += 1
        before = kinds[i - 1] if i > 0 else "L"
        after = kinds[j] if j < n else "L"
        rtl = before in ("R", "RN") and after in ("R", "RN")
        for pos in range(i, j):
            kinds[pos] = "R" if rtl else "L"
        i = j
    return [{"L": 0, "R": 1, "RN": 2}[k] for k in kinds]


def _clusters(line: str, levels: list[int]) -> list[tuple[str, int]]:
    """Base characters with their combining marks, so marks stay on their letter."""
    out: list[tuple[str, int]] = []
    for ch, level in zip(line, levels, strict=True):
        if out and unicodedata.combining(ch):
            text, lvl = out[-1]
            out[-1] = (text + ch, lvl)
        else:
            out.append((ch, level))
    return out


def visual_line(line: str) -> str:
    """One line in left-to-right drawing order."""
    if not _RTL_PRESENT.search(line):
        return line
    line = shape_arabic(line)
    clusters = _clusters(line, _levels(line))
    top = max(level for _, level in clusters)
    for level in range(top, 0, -1):
        i = 0
        while i < len(clusters):
            if clusters[i][1] < level:
                i += 1
                continue
            j = i
            while j < len(clusters) and clusters[j][1] >= level:
                j += 1
            clusters[i:j] = clusters[i:j][::-1]
            i = j
    return "".join(_MIRROR.get(text, text) if level % 2 else text for text, level in clusters)


def visual(text: str) -> str:
    """Every line of ``text`` in drawing order (see the module docstring)."""
    if not _RTL_PRESENT.search(text):
        return text
    return "\n".join(visual_line(line) for line in text.split("\n"))
