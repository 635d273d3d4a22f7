"""Uploads: a size limit enforced while the request is read, and a check of what a file is.

Django spools an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file before
any view runs, so a size check in the view alone would still let a huge upload fill the
disk. `SizeLimitUploadHandler` (first in FILE_UPLOAD_HANDLERS) drops a file as soon as it
passes MAX_UPLOAD_BYTES; the rest of it is read and discarded, never stored.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TEXT_SUFFIXES = {".csv", ".md", ".yaml", ".yml", ".json"}
ALLOWED_SUFFIXES = TEXT_SUFFIXES | {".xlsx"}
SNIFF_BYTES = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            # The view tells the person why their file is missing.
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data  # on to the next handler, which stores it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def content_problem(name: str, content: bytes) -> str | None:
    """Why the content is not what its extension says, or None. A spreadsheet must be an
    Office Open XML workbook; everything else must be UTF-8 text (JSON: an object)."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(ALLOWED_SUFFIXES))
        return f"{name}: Northstar imports {allowed} files, not {suffix or 'this kind'}."
    if suffix == ".xlsx":
        return None if _is_workbook(content) else f"{name} is not an Excel workbook (.xlsx)."
    text = _text_head(content)
    if text is None:
        return f"{name} is not a text file in UTF-8."
    if suffix == ".json" and not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return f"{name} is not a JSON document."
    return None


def _is_workbook(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _text_head(content: bytes) -> str | None:
    """The start of the file as text, or None when it is binary or not UTF-8."""
    head = content[:SNIFF_BYTES]
    if b"\x00" in head:
        return None
    try:
        # Incremental, so that a character cut at the end of the sample is not an error.
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
