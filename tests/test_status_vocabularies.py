"""Statuses are compared as enums with labels, never as bare strings: a typo in a string compares
false for ever and silently, where an enum member that does not exist fails at once."""

from __future__ import annotations

import ast
from pathlib import Path

from trdplanner.core import vocab

ROOT = Path(__file__).resolve().parents[1] / "trdplanner"
# Our own status vocabularies (FHIR's "completed"/"amended" and the like are another standard's words).
OURS = {m.value for enum in (vocab.PatientStatus, vocab.RiskLevel, vocab.SessionStatus, vocab.NoteStatus,
                             vocab.PlanStatus, vocab.GoalStatus, vocab.ObjectiveStatus, vocab.HomeworkStatus)
        for m in enum}
FIELDS = {"status", "risk_level"}
# A migration states the values as they were when it was written; fhir_read.py checks FHIR's own
# QuestionnaireResponse.status words ("completed", "amended"), which are not ours.
SKIP = {"core/migrations", "export/fhir_read.py"}


def _bare_comparisons(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names = {s.attr for s in sides if isinstance(s, ast.Attribute)}
        strings = [s.value for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)]
        for s in sides:
            if isinstance(s, ast.Tuple | ast.Set | ast.List):
                strings += [e.value for e in s.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if names & FIELDS and set(strings) & OURS:
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_status_is_compared_with_a_bare_string() -> None:
    paths = [p for p in sorted(ROOT.rglob("*.py")) if not any(part in str(p) for part in SKIP)]
    found = [f"{path.relative_to(ROOT).parent}/{hit}" for path in paths for hit in _bare_comparisons(path)]
    assert found == []


def test_the_check_finds_a_bare_comparison(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(p):\n    return p.status == "archived" or p.risk_level in ("high",)\n')
    assert len(_bare_comparisons(sample)) == 2
