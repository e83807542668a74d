"""The shipped catalog holds what the clinical reference says each modality needs.

Each check names an element from the reference (a worksheet column, a named skill, a
role-dispute stage, a safety-plan step) and looks for it in the text a therapist or
client would see: titles, labels, options, definitions, paragraphs and agenda steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from trdplanner.catalog import Catalog, Field, Kind, Modality, Template, load_catalog, load_note_formats
from trdplanner.paths import templates_dir


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    loaded = load_catalog(templates_dir())
    assert not loaded.broken, [b.message for b in loaded.broken]
    return loaded


def _field_text(f: Field) -> Iterator[str]:
    yield from (f.label, f.help or "", f.text or "")
    for o in f.options:
        yield o.label
        yield o.help or ""
    for d in f.items:
        yield d.term
        yield d.text
    yield from f.fixed_rows
    for c in f.columns:
        yield c.label
        yield c.help or ""
        for o in c.options:
            yield o.label


def visible_text(t: Template) -> str:
    parts = [t.title, t.purpose, t.instructions]
    for f in t.fields:
        parts.extend(_field_text(f))
    for step in t.agenda:
        parts.extend([step.title, step.description or ""])
    return re.sub(r"\s+", " ", " ".join(parts)).casefold()


def assert_mentions(t: Template, *phrases: str) -> None:
    text = visible_text(t)
    missing = [p for p in phrases if p.casefold() not in text]
    assert not missing, f"{t.id} does not mention {missing}"


def test_catalog_has_at_least_40_templates_across_every_modality(catalog: Catalog) -> None:
    assert len(catalog) >= 40
    for modality in ("cbt", "cbasp", "dbt", "act", "ipt", "mbct", "general"):
        assert catalog.filter(modality=modality), modality


@pytest.mark.parametrize("modality", ["cbt", "cbasp", "dbt", "act", "ipt", "mbct", "trauma", "general"])
def test_every_modality_has_a_session_structure_with_timed_steps(catalog: Catalog, modality: str) -> None:
    structure = catalog.structure_for(modality)
    assert structure is not None and structure.kind is Kind.STRUCTURE
    assert len(structure.agenda) >= 3
    assert all(step.minutes >= 1 for step in structure.agenda)


def test_cbt_session_structure_follows_the_standard_order(catalog: Catalog) -> None:
    steps = " | ".join(s.title.casefold() for s in catalog.get("cbt-session-structure").agenda)
    order = ["mood", "bridge", "agenda", "homework", "new homework", "summary"]
    positions = [steps.find(word) for word in order]
    assert all(p >= 0 for p in positions), steps
    assert positions[:4] == sorted(positions[:4])


def test_thought_records_have_three_five_and_seven_columns(catalog: Catalog) -> None:
    assert_mentions(catalog.get("cbt-thought-record-3"), "situation", "automatic thought", "emotion")
    assert_mentions(
        catalog.get("cbt-thought-record-5"), "situation", "emotion", "automatic thought", "rational response", "outcome"
    )
    seven = catalog.get("cbt-thought-record-7")
    assert_mentions(
        seven,
        "situation",
        "mood",
        "automatic thought",
        "hot thought",
        "evidence that supports",
        "evidence that does not support",
        "balanced thought",
        "re-rate",
    )
    ratings = [f for f in seven.input_fields if f.type.value == "rating"]
    assert any(f.min == 0 and f.max == 100 for f in ratings), "belief ratings run 0-100"


BURNS = [
    "all-or-nothing",
    "overgeneralization",
    "mental filter",
    "discounting the positive",
    "mind reading",
    "fortune telling",
    "magnification",
    "emotional reasoning",
    "should",
    "label",
    "personalization",
]


def test_distortions_checklist_and_handout_cover_burns_list(catalog: Catalog) -> None:
    assert_mentions(catalog.get("cbt-thought-record-7"), *BURNS)
    assert_mentions(catalog.get("cbt-distortions-handout"), *BURNS)


def test_behavioural_activation_log_and_schedule(catalog: Catalog) -> None:
    assert_mentions(catalog.get("cbt-activity-log"), "mood", "mastery", "pleasure", "mon", "sun")
    # The difficulty hierarchy, in our words: a ladder from easiest to hardest.
    assert_mentions(catalog.get("cbt-activity-schedule"), "easiest", "hardest", "when", "where", "mastery", "pleasure")
    assert_mentions(catalog.get("cbt-behavioural-experiment"), "prediction", "what happened")
    assert_mentions(catalog.get("cbt-core-belief"), "core belief", "new belief")


def test_cbasp_coping_survey_has_elicitation_and_remediation(catalog: Catalog) -> None:
    assert_mentions(
        catalog.get("cbasp-coping-survey"),
        "situation",
        "interpretation",
        "behaviour",
        "actual outcome",
        "desired outcome",
        "get what you wanted",
        "action interpretation",
        "take-home",
        "other people or situations",
    )


DBT_MODULES = {
    "dbt-mindfulness-skills": [
        "wise mind",
        "reasonable mind",
        "emotion mind",
        "observe",
        "describe",
        "participate",
        "non-judgmentally",
        "one-mindfully",
        "effectively",
    ],
    "dbt-distress-tolerance-skills": [
        "stop",
        "take a step back",
        "observe",
        "proceed mindfully",
        "pros and cons",
        "tip",
        "temperature",
        "intense exercise",
        "paced breathing",
        "paired muscle relaxation",
        "accepts",
        "activities",
        "contributing",
        "comparisons",
        "emotions",
        "pushing away",
        "thoughts",
        "sensations",
        "self-soothe",
        "improve",
        "imagery",
        "meaning",
        "prayer",
        "relaxation",
        "one thing in the moment",
        "vacation",
        "encouragement",
        "radical acceptance",
        "turning the mind",
        "willingness",
    ],
    "dbt-emotion-regulation-skills": [
        "naming",
        "check the facts",
        "opposite action",
        "problem solving",
        "accumulate positive",
        "build mastery",
        "cope ahead",
        "physical illness",
        "eating",
        "mood-altering",
        "sleep",
        "exercise",
    ],
    "dbt-interpersonal-effectiveness-skills": [
        "dear man",
        "describe",
        "express",
        "assert",
        "reinforce",
        "mindful",
        "appear confident",
        "negotiate",
        "give",
        "gentle",
        "interested",
        "validate",
        "easy manner",
        "fast",
        "fair",
        "apologies",
        "stick to values",
        "truthful",
    ],
}


@pytest.mark.parametrize("template_id", sorted(DBT_MODULES))
def test_dbt_handouts_cover_every_named_skill(catalog: Catalog, template_id: str) -> None:
    handout = catalog.get(template_id)
    assert handout.kind is Kind.HANDOUT
    assert_mentions(handout, *DBT_MODULES[template_id])


def test_dbt_practice_sheets_diary_card_and_chain_analysis(catalog: Catalog) -> None:
    for module in ("mindfulness", "distress-tolerance", "emotion-regulation", "interpersonal-effectiveness"):
        assert catalog.get(f"dbt-{module}-practice").kind is Kind.HOMEWORK
    assert_mentions(catalog.get("dbt-diary-card"), "urge to die", "self-harm", "sadness", "shame", "skills", "medicine")
    assert_mentions(
        catalog.get("dbt-chain-analysis"),
        "vulnerable",
        "set it off",
        "links",
        "short term",
        "long term",
        "repair",
        "prevention",
    )


def test_act_templates(catalog: Catalog) -> None:
    assert_mentions(
        catalog.get("act-values-domains"),
        "family",
        "parenting",
        "friends",
        "work",
        "education",
        "fun",
        "spirituality",
        "community",
        "body",
        "importance",
        "consistency",
    )
    assert_mentions(catalog.get("act-bulls-eye"), "work", "relationships", "personal growth", "leisure", "barrier")
    assert_mentions(catalog.get("act-choice-point"), "towards", "away", "hook", "unhook")
    assert_mentions(catalog.get("act-committed-action"), "value", "smart", "first step", "barrier", "willing")
    assert_mentions(catalog.get("act-defusion-practice"), "i'm having the thought")
    assert_mentions(
        catalog.get("act-hexaflex"),
        "acceptance",
        "defusion",
        "present moment",
        "self-as-context",
        "values",
        "committed action",
    )


def test_ipt_templates_and_the_three_role_dispute_stages(catalog: Catalog) -> None:
    assert_mentions(catalog.get("ipt-role-dispute"), "renegotiation", "impasse", "dissolution", "expectations")
    assert_mentions(catalog.get("ipt-interpersonal-inventory"), "positive", "negative", "expectations", "change")
    assert_mentions(catalog.get("ipt-role-transition"), "old role", "new role", "loss", "gain")
    assert_mentions(catalog.get("ipt-phase-plan"), "initial", "middle", "termination", "sick role")
    assert catalog.find("ipt-grief") is not None and catalog.find("ipt-interpersonal-deficits") is not None


def test_mbct_templates(catalog: Catalog) -> None:
    assert catalog.get("mbct-home-practice-log").kind is Kind.HOMEWORK
    assert_mentions(catalog.get("mbct-breathing-space"), "breath")
    assert_mentions(catalog.get("mbct-relapse-signature"), "warning sign", "action plan")


def test_safety_plan_has_every_step_in_order(catalog: Catalog) -> None:
    plan = catalog.get("general-safety-plan")
    steps = ["warning signs", "coping", "distract", "ask for help", "crisis", "safer", "reasons for living"]
    assert_mentions(plan, *steps)
    text = visible_text(plan)
    order = [text.find(s) for s in steps[:6]]
    assert order == sorted(order), "the six steps appear in their usual order"


def test_cross_modality_set_and_psychoeducation(catalog: Catalog) -> None:
    for tid in ("general-sleep-diary", "general-exercise-plan", "general-support-network", "general-medication-log"):
        assert catalog.find(tid) is not None, tid
    assert_mentions(catalog.get("general-medication-log"), "side effect", "prescriber")
    assert_mentions(catalog.get("general-trd-handout"), "two", "not your fault")
    assert_mentions(
        catalog.get("general-treatment-options-handout"),
        "cbt",
        "dbt",
        "act",
        "ipt",
        "mbct",
        "cbasp",
        "emdr",
        "esketamine",
        "ketamine",
        "tms",
        "ect",
        "augment",
        "sleep",
        "movement",
        "support",
    )


@pytest.mark.parametrize(
    ("template_id", "items"), [("general-phq9-form", 9), ("general-gad7-form", 7), ("general-qids-sr16-form", 16)]
)
def test_measure_forms_have_every_item(catalog: Catalog, template_id: str, items: int) -> None:
    form = catalog.get(template_id)
    assert form.kind is Kind.MEASURE
    ids = {f.id for f in form.input_fields}
    assert {f"item{i}" for i in range(1, items + 1)} <= ids


def test_no_copyrighted_instrument_has_a_form(catalog: Catalog) -> None:
    # BDI-II and MADRS are entered as totals only; their items must never ship.
    for t in catalog.templates:
        text = visible_text(t)
        assert "bdi-ii" not in t.id and "madrs" not in t.id
        assert t.kind is not Kind.MEASURE or ("beck" not in text and "montgomery" not in text)


def test_note_formats_have_their_published_sections() -> None:
    formats = load_note_formats(templates_dir() / "notes")
    expected = {
        "soap": ["subjective", "objective", "assessment", "plan"],
        "dap": ["data", "assessment", "plan"],
        "birp": ["behaviour", "intervention", "response", "plan"],
        "girp": ["goal", "intervention", "response", "plan"],
        "pirp": ["problem", "intervention", "response", "plan"],
    }
    for fmt, sections in expected.items():
        assert [s.id for s in formats.get(fmt).sections] == sections


def test_every_template_modality_matches_its_folder(catalog: Catalog) -> None:
    for t in catalog.templates:
        assert t.id.startswith(f"{t.modality.value}-")
        assert t.modality in set(Modality)


def test_ketamine_preparation_and_integration_templates(catalog: Catalog) -> None:
    by_id = {t.id: t for t in catalog.templates}
    prep, integ = by_id["general-ketamine-preparation"], by_id["general-ketamine-integration"]
    assert {f.id for f in prep.fields} >= {"treatment", "hopes", "worries", "steadying", "ride_home",
                                           "integration_booked"}
    assert {f.id for f in integ.fields} >= {"during", "since", "mood_change", "next_step", "tell_prescriber"}
    assert "ketamine" in prep.tags and "integration" in integ.tags
