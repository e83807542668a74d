"""Size limits for template files and filled instances.

Templates can come from a clinician's own folder (or be passed around between colleagues), so the
loader treats them as untrusted input: every list, string and file has a ceiling far above any
real worksheet but low enough that a malformed or hostile file is refused quickly and cleanly.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1024 * 1024
# Nodes visited while walking a parsed file. YAML aliases let a small file expand into a huge
# tree ("billion laughs"); counting visits, not distinct objects, catches that.
MAX_YAML_NODES = 200_000
MAX_YAML_DEPTH = 40

MAX_ITEMS = 500  # fields, columns, options, anchors, definitions, agenda steps, tags, fixed rows
MAX_ID_LENGTH = 80
MAX_LABEL_LENGTH = 300  # titles, labels, option labels, terms
MAX_TEXT_LENGTH = 20_000  # purpose, instructions, help, paragraph text, Jinja sources
MAX_MINUTES = 600
MAX_PRINT_LINES = 200
MAX_PRINT_HEIGHT_MM = 400
MAX_NUMBER = 1e12  # number/rating bounds in a definition

MAX_TABLE_ROWS = 500  # rows in a filled table when the template sets no max_rows
MAX_VALUE_LENGTH = 100_000  # one filled text value
MAX_RENDERED_LENGTH = 200_000  # text produced by one Jinja render
# Work one render may do, across all its loops and calls together (each loop alone is already
# bounded by Jinja's sandbox); a real summary of a full 500-row table needs a few thousand steps.
MAX_RENDER_STEPS = 200_000
MAX_RENDER_SECONDS = 2.0
