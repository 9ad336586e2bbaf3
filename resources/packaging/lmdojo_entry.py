"""PyInstaller's entry script for the `lmdojo` executable (see build.spec): the app's main().

gui.app.main() calls multiprocessing.freeze_support() first, so worker processes started by the
frozen app run this same executable and never open a window.
"""
import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
