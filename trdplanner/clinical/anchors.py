"""What each answer of an item means, shown beside the score buttons.

PHQ-9, GAD-7 and QIDS-SR16 anchors are in this project's own words (the clinical reference
asks for paraphrase; the QIDS keeps its copyright). The HAM-D17 is in the public domain
(NINDS Common Data Element; see the licensing table), so its anchors follow Hamilton's
published rating points, shortened. MADRS and BDI-II are copyrighted and entered as totals
only, so they have no anchors here.
"""

from __future__ import annotations

from trdplanner.clinical.instruments import Instrument, spec

# Both questionnaires ask how often over the last two weeks.
_HOW_OFTEN = ("Not once", "On a few days", "On more than half of the days", "Almost every day")

# The QIDS anchors differ item by item; a general severity reading is given, in our words.
_QIDS = ("No problem with this", "A little", "Quite a lot", "Severely, most of the time")

_HAMD17: tuple[tuple[str, ...], ...] = (
    ("Absent", "Mentioned only when asked", "Reported without being asked",
     "Shown without words: face, posture, voice, tearfulness", "Almost nothing else is reported or shown"),
    ("Absent", "Self-reproach; feels they have let people down", "Ideas of guilt; dwells on past mistakes",
     "Sees the illness as a punishment; delusions of guilt", "Accusing voices or threatening visions"),
    ("Absent", "Feels life is not worth living", "Wishes to be dead, or thinks of own death",
     "Suicidal ideas or gesture", "Suicide attempt"),
    ("No difficulty falling asleep", "Sometimes takes over half an hour to fall asleep",
     "Difficulty falling asleep every night"),
    ("No difficulty", "Restless, disturbed sleep", "Wakes in the night; gets out of bed (other than to void)"),
    ("No difficulty", "Wakes early but sleeps again", "Cannot sleep again once up"),
    ("No difficulty", "Thoughts of incapacity, tiredness or weakness about activities",
     "Loss of interest in work, hobbies or activities", "Less time spent on activities, or less done",
     "Stopped working because of the illness"),
    ("Normal speech and thought", "Slightly slowed at interview", "Obviously slowed at interview",
     "Interview difficult", "Complete stupor"),
    ("None", "Fidgety", "Plays with hands, hair, etc.", "Moves about; cannot sit still",
     "Wrings hands, bites nails or lips, pulls hair"),
    ("No difficulty", "Subjective tension and irritability", "Worries about minor matters",
     "Apprehension seen in face or speech", "Fears expressed without being asked"),
    ("Absent", "Mild", "Moderate", "Severe", "Incapacitating"),
    ("None", "Loss of appetite but eats unprompted; heavy feeling in the abdomen",
     "Eats only when urged; needs laxatives or medicine for the gut"),
    ("None", "Heavy limbs, back or head; aches; loss of energy, tiring easily", "Any clear-cut symptom"),
    ("Absent", "Mild", "Severe"),
    ("Not present", "Self-absorbed about the body", "Preoccupied with health",
     "Frequent complaints, asks for help", "Hypochondriacal delusions"),
    ("No weight loss", "Probable loss linked to the present illness", "Definite loss, as the patient tells it"),
    ("Knows they are depressed and ill", "Knows they are ill but blames food, weather, overwork, a virus, rest",
     "Denies being ill at all"),
)


def answer_anchors(instrument: Instrument | str) -> tuple[tuple[str, ...], ...]:
    """One tuple per item: the meaning of each score from 0 up. Empty for total-only instruments."""
    s = spec(instrument)
    key = s.instrument
    if key in (Instrument.PHQ9, Instrument.GAD7):
        per_item: tuple[tuple[str, ...], ...] = tuple(_HOW_OFTEN for _ in s.item_ranges)
    elif key == Instrument.QIDS_SR16:
        per_item = tuple(_QIDS for _ in s.item_ranges)
    elif key == Instrument.HAMD17:
        per_item = _HAMD17
    else:
        return ()
    return per_item
