"""`python -m rolecall` — same entry point as the console script."""

import sys

from rolecall.entry import main

sys.exit(main())
