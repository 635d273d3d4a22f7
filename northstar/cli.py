"""The `northstar` command.

`northstar version` answers without loading Django; everything else (`serve`, `demo`,
`import`, `export`, `tree`, `check-in`, and every Django command such as `migrate` or
`createsuperuser`) is a Django management command.
"""

import os
import sys

# Commands people type with a dash; Django command modules cannot contain one.
ALIASES = {"check-in": "check_in"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in {"version", "--version"}:
        from importlib.metadata import version

        print(version("northstar"))
        return
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "northstar"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
