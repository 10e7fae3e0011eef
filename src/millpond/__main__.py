"""`python -m millpond` runs the command-line interface."""

from millpond.cli.main import main

raise SystemExit(main())
