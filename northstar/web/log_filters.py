"""Logging filters for the web app, installed by settings.LOGGING."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep 4xx answers in the log as the one-line warning Django writes, without the
    traceback it attaches when a view raised PermissionDenied (or BadRequest).

    Refusing is how our views answer someone who may not do something: expected, not a
    fault, and a traceback per refusal buries the errors that matter. 5xx keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
