"""`python -m ilo` behaves exactly like the `ilo` command."""

import sys

from ilo.cli import main

sys.exit(main())
