#!/usr/bin/env python
"""Development convenience: the same as the `northstar` command."""

from northstar.cli import main

if __name__ == "__main__":
    main()
