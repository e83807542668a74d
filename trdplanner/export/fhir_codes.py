"""The codes the FHIR export and import use, each with where it was checked.

Only codes confirmed in a published source are here. Where no code was confirmed
(QIDS-SR16, HAM-D17, MADRS, BDI-II, the interventional treatments), the export writes a
text-only ``CodeableConcept`` instead of guessing one.

Sources:
- PHQ-9 panel 44249-1, item 9 44260-8, total 44261-6; GAD-7 panel 69737-5, total 70274-6:
  the project's issue 18, which names them.
- PHQ-9 item codes in order (44250-9 ... 44260-8) and the answer codes LA6568-5, LA6569-3,
  LA6570-1, LA6571-9 for 0-3: HL7 US Core STU6.1, example "QuestionnaireResponse PHQ-9"
  (hl7.org/fhir/us/core/STU6.1/QuestionnaireResponse-phq-9-example.html), which uses the
  LOINC item codes as link ids.
- GAD-7 item codes in order (69725-0 ... 69736-7) with the same answer codes: HL7
  Personal Health Record Format IG, example QuestionnaireResponse "gad7"
  (github.com/HL7/personal-health-record-format-ig, QuestionnaireResponse-ScoredAssessment-GAD7.fsh).
- Questionnaire canonicals http://loinc.org/q/44249-1 and http://loinc.org/q/69737-5: the form
  URLs LOINC's own form builder (LHC-Forms) gives these panels, as used in HL7's PACIO sample data.
- No LOINC code for the QIDS-SR16 panel, its total or its item 12 was confirmed, so none is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from trdplanner.clinical import Instrument

LOINC = "http://loinc.org"
# A local identifier system: the print code means something only inside this practice.
PRINT_CODE_SYSTEM = "urn:trdplanner:print-code"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# The PHQ answer list (0-3), shared by PHQ-9 and GAD-7 items.
ANSWERS: tuple[tuple[str, str], ...] = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)
ANSWER_SCORE = {code: value for value, (code, _) in enumerate(ANSWERS)}


@dataclass(frozen=True)
class LoincForm:
    """A questionnaire LOINC codes item by item."""

    panel: str
    panel_display: str
    total: str
    questionnaire: str
    items: tuple[str, ...]


LOINC_FORMS: dict[Instrument, LoincForm] = {
    Instrument.PHQ9: LoincForm(
        panel="44249-1",
        panel_display="PHQ-9 quick depression assessment panel",
        total="44261-6",
        questionnaire="http://loinc.org/q/44249-1",
        items=(
            "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
            "44258-2", "44252-5", "44253-3", "44260-8",
        ),
    ),
    Instrument.GAD7: LoincForm(
        panel="69737-5",
        panel_display="Generalized anxiety disorder 7 item (GAD-7)",
        total="70274-6",
        questionnaire="http://loinc.org/q/69737-5",
        items=("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    ),
}  # fmt: skip

# Instruments whose item answers the export writes as a QuestionnaireResponse.
QUESTIONNAIRES = (Instrument.PHQ9, Instrument.GAD7, Instrument.QIDS_SR16)
# A local canonical for the QIDS-SR16, which has no confirmed LOINC form.
LOCAL_QUESTIONNAIRE = "urn:trdplanner:questionnaire:"


def questionnaire_url(instrument: Instrument) -> str:
    form = LOINC_FORMS.get(instrument)
    return form.questionnaire if form else f"{LOCAL_QUESTIONNAIRE}{instrument.value}"


def item_link_id(instrument: Instrument, number: int) -> str:
    """The link id of item ``number`` (1-based): its LOINC code, or ``item-N`` without one."""
    form = LOINC_FORMS.get(instrument)
    return form.items[number - 1] if form else f"item-{number}"
