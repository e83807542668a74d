"""What each answer of an item means, shown beside the score buttons.

PHQ-9, GAD-7 and QIDS-SR16 anchors are in this project's own words (the clinical reference
asks for paraphrase; the QIDS keeps its copyright). The HAM-D17 is in the public domain
(NINDS Common Data Element; see the licensing table), so its anchors follow Hamilton's
published rating points, shortened, with the ranges of the clinical reference (items 4-6, 12-14,
16 and 17 score 0-2, the rest 0-4; 52 in all). Item 16 gives both of Hamilton's ways to rate
weight loss: by history, and by weekly weighing. MADRS and BDI-II are copyrighted and entered as totals
only, so they have no anchors here.
"""

from __future__ import annotations

from trdplanner.clinical.instruments import Instrument, spec

# Both questionnaires ask how often over the last two weeks.
_HOW_OFTEN = ("Not once", "On a few days", "On more than half of the days", "Almost every day")

# QIDS-SR16: each item has its own four levels. The developers keep the copyright on the wording,
# so these are short paraphrases in our own words of what each level covers, for the clinician
# entering a paper form; they mean what the app's own QIDS-SR16 worksheet (templates/general/
# general-qids-sr16-form.yaml) says to the client. Items follow the domains of Rush et al. 2003
# (clinical reference, section 2): sleep 1-4, mood 5, appetite and weight 6-9, concentration 10,
# self-view 11, death or suicide 12, interest 13, energy 14, slowing and restlessness 15-16.
_QIDS: tuple[tuple[str, ...], ...] = (
    ("Asleep within half an hour", "Half an hour or longer on under half the nights",
     "Half an hour or longer on over half the nights", "Over an hour on over half the nights"),
    ("Sleeps through the night", "Light, broken sleep; short wakings each night",
     "Wakes at least once a night, falls back asleep easily",
     "Wakes more than once, awake 20 min or longer, on over half the nights"),
    ("Wakes at most half an hour before needed", "Over half an hour early on over half the days",
     "Nearly always an hour or more early, then sleeps again", "An hour or more early and stays awake"),
    ("Up to 7-8 hours a night, no naps", "Up to 10 hours in 24, naps counted",
     "Up to 12 hours in 24, naps counted", "Over 12 hours in 24, naps counted"),
    ("No sadness", "Sad under half the time", "Sad over half the time", "Sad almost all the time"),
    ("Appetite unchanged", "Eats a bit less often or smaller portions",
     "Eats far less; has to push to eat", "Barely eats in a day, only when forced or persuaded"),
    ("Appetite unchanged", "Wants to eat more often", "Regularly eats more often or bigger portions",
     "Compelled to overeat, at meals and between them"),
    ("Weight unchanged", "May have lost a little", "Down 2 lb (about 1 kg) or more",
     "Down 5 lb (about 2.3 kg) or more"),
    ("Weight unchanged", "May have put on a little", "Up 2 lb (about 1 kg) or more",
     "Up 5 lb (about 2.3 kg) or more"),
    ("Focus and decisions as usual", "Now and then undecided, or attention drifts",
     "Struggles to focus or decide most of the time", "Cannot focus to read, or cannot make even small choices"),
    ("Values self as much as others", "Harder on self, more self-blame than usual",
     "Fairly convinced they are a problem for others", "Own flaws, large and small, on their mind nearly always"),
    ("No thoughts of death or suicide", "Life feels empty, or questions whether it is worth going on",
     "Thoughts of death or suicide for minutes at a time, several times a week",
     "Detailed thoughts several times a day, or a plan made, or an attempt"),
    ("Interest in people and activities as usual", "Less interest than before",
     "Only one or two usual activities still interest them", "Hardly any interest in former activities"),
    ("Energy as usual", "Tires more quickly", "Everyday jobs take great effort to start or finish",
     "Too drained for most everyday tasks"),
    ("Usual pace of thought, speech and movement", "Thinking sluggish, or voice flat",
     "Several seconds to answer most questions; clearly slowed", "Often cannot answer, or only with great effort"),
    ("No restlessness", "Fidgets, wrings hands or keeps shifting in the seat",
     "Keeps wanting to get up and move; quite restless", "At times cannot stay seated; has to pace"),
)

_HAMD17: tuple[tuple[str, ...], ...] = (
    ("Absent", "Mentioned only when asked", "Reported without being asked",
     "Shown without words: face, posture, voice, tearfulness", "Almost nothing else is reported or shown"),
    ("Absent", "Self-reproach; feels they have let people down", "Ideas of guilt; dwells on past mistakes",
     "Sees the illness as a punishment; delusions of guilt", "Accusing voices or threatening visions"),
    ("Absent", "Feels life is not worth living", "Wishes to be dead, or any thoughts of possible own death",
     "Suicidal ideas or gesture", "Suicide attempt (any serious attempt rates 4)"),
    ("No difficulty falling asleep", "Sometimes takes over half an hour to fall asleep",
     "Difficulty falling asleep every night"),
    ("No difficulty", "Restless, disturbed sleep", "Wakes in the night; gets out of bed (other than to void)"),
    ("No difficulty", "Wakes early but sleeps again", "Cannot sleep again once up"),
    ("No difficulty", "Thoughts and feelings of incapacity, tiredness or weakness about activities",
     "Loss of interest in work, hobbies or activities, told or seen as listlessness and indecision",
     "Less time spent on activities, or less done", "Stopped working because of the present illness"),
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
    ("No weight loss (weighed weekly: under 1 lb lost in the week)",
     "Probable loss linked to the present illness (weighed: over 1 lb in the week)",
     "Definite loss, as the patient tells it (weighed: over 2 lb in the week)"),
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
        per_item = _QIDS
    elif key == Instrument.HAMD17:
        per_item = _HAMD17
    else:
        return ()
    return per_item
