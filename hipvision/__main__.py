"""``python -m hipvision`` runs the CLI."""

import sys

from hipvision.cli import main

sys.exit(main())
