#!/usr/bin/env python
"""Django's command-line utility; the installed `attend` command is the same."""

from config.cli import main

if __name__ == "__main__":
    main()
