"""The frozen app's entry point: PyInstaller starts here (see packaging/trdplanner.spec).

It is the same ``main`` as the ``trdplanner`` console script and ``python -m trdplanner``,
so the built binary takes every command and option the source install does.
"""

import multiprocessing
import sys

from trdplanner.__main__ import main

if __name__ == "__main__":
    # Harmless today; keeps a frozen Windows/macOS build from re-running main() in a child
    # process if any library ever starts one with multiprocessing.
    multiprocessing.freeze_support()
    sys.exit(main())
