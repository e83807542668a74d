"""Entry point: ``trdplanner`` and ``python -m trdplanner``."""

from __future__ import annotations

import sys

_GUI_OPTIONS = {"--data-dir", "--db"}


def _wants_gui(argv: list[str]) -> bool:
    """No command (or ``gui``) and only the options the app understands: open the window directly."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in _GUI_OPTIONS:
            if not rest:
                return False
            rest.pop(0)
        elif arg.split("=", 1)[0] in _GUI_OPTIONS or arg in ("--verbose", "--read-only", "gui"):
            continue
        else:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if _wants_gui(args):
        # The fast path: the window shows before the database layer is even imported.
        from trdplanner.app import main as app_main

        return app_main(args)
    from trdplanner.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
