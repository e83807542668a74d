"""A form template records measures only for instruments clinical/ knows and scores item by item."""

from __future__ import annotations

from trdplanner.catalog import FormInstrument
from trdplanner.clinical import Instrument, spec


def test_every_form_instrument_is_a_clinical_instrument_with_items() -> None:
    for form in FormInstrument:
        instrument = Instrument(form.value)
        assert spec(instrument).item_count > 0, form
