"""``citydocs`` and ``python -m app``: the command line, imported only when it runs.

The console script's module is what a spawned worker process re-imports as its main module;
keeping it this small keeps Typer and rich out of every worker's start. For ``extract`` the
worker that will read the documents is started here, before the command line is even
imported: its warm-up is the command's critical path.
"""

from __future__ import annotations

import sys

from pipeline.base.environment import set_process_defaults


def main() -> None:
    set_process_defaults()
    if sys.argv[1:2] == ["extract"] and "--help" not in sys.argv:
        # Imported here, not at the top: a worker re-imports this module, and needs neither.
        from pipeline.base.settings import get_settings
        from pipeline.running import isolation

        isolation.prestart(get_settings(), 1)
    # Imported here for start-up speed: Typer and rich load after the worker has started.
    from app.cli import app

    app()


if __name__ == "__main__":
    main()
