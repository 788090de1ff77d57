import sys

from bootstrap.cli import entry_point

sys.exit(entry_point())
