"""`northstar export [--format yaml|json|csv|xlsx|md] [-o PATH] [--as EMAIL]`

Exports everything in the database; YAML to standard output by default (also with `-o -`).
The YAML and JSON exports are Northstar's own full-fidelity format (docs/format.md). With
`--as`, the export holds only what that person may read (private objectives they may not see
are left out); without it, the operator exports everything.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from northstar.interchange.exporter import FORMATS, export
from northstar.okrs.access import Refused, cli_viewer

SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
SUFFIX_FORMATS |= {".xlsx": "xlsx", ".md": "md"}


class Command(BaseCommand):
    help = "Export the whole database as YAML (default), JSON, CSV, XLSX or Markdown."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="default: from the -o file's extension, else yaml",
        )
        parser.add_argument(
            "-o", "--output", metavar="PATH", help="file to write; - or none: stdout"
        )
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="export what this person may read"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            viewer = cli_viewer(options.get("as_email"))
        except Refused as error:
            raise CommandError(str(error)) from None
        # "-" is the usual spelling of standard output, not a file named "-".
        given = options["output"]
        output = Path(given) if given and given != "-" else None
        fmt = options["format"] or self._format_of(output)
        if fmt == "xlsx" and output is None:
            raise CommandError("An XLSX export is binary: write it to a file with -o PATH.")
        content = export(fmt, viewer)
        if output is None:
            self.stdout.write(content, ending="")
            return
        try:
            if isinstance(content, bytes):
                output.write_bytes(content)
            else:
                # newline="" keeps the CSV's CRLF and text's LF exactly as produced.
                with output.open("w", encoding="utf-8", newline="") as stream:
                    stream.write(content)
        except OSError as error:
            # A mistyped path is the user's to fix: say which, rather than a traceback.
            raise CommandError(f"Cannot write the export to {output}: {_why(error)}") from None

    @staticmethod
    def _format_of(output: Path | None) -> str:
        if output is None:
            return "yaml"
        return SUFFIX_FORMATS.get(output.suffix.lower(), "yaml")


def _why(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "its folder does not exist."
    if isinstance(error, IsADirectoryError):
        return "that is a folder; give a file name."
    if isinstance(error, PermissionError):
        return "permission denied."
    return f"{error.strerror or error}."
