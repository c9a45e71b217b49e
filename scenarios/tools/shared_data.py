"""Where the scenario tools find the repository and ../shared/data (found by walking up from the repository root)."""
import os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shared(path):
    here = ROOT
    while True:
        candidate = os.path.normpath(os.path.join(here, path))
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            sys.exit(path + " not found above " + ROOT)
        here = parent
