"""Where the tests find the real OKR documents of ../shared/data.

They are read in place, never copied into the repository. The folder sits beside the
clone on every developer machine and in CI, so a missing file is a failure, not a skip.
NORTHSTAR_SHARED_DATA points elsewhere when needed.
"""

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get(
        "NORTHSTAR_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: the real-document tests need ../shared/data beside the clone "
            "(or NORTHSTAR_SHARED_DATA pointing at it)."
        )
    return path
