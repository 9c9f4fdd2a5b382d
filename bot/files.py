"""Files and folders goodhelp creates hold what people told it, so only its own user may
read them: files 0600 and folders 0700, whatever the umask (a usual 022 would make them
readable by everyone on the machine).

Only what goodhelp creates is set so; a file or folder that already exists keeps the
permissions its owner gave it, because a deployer may have chosen them on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700; existing ones are left as
    they are. Raises OSError like ``Path.mkdir``."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made by someone else meanwhile: theirs to set
        path.chmod(FOLDER_MODE)  # mkdir's mode is filtered by the umask


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist yet (SQLite then gives its -wal
    and -shm files the same permissions as the database file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a 0600 file, replacing what was there; a symbolic
    link in its place is refused rather than followed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
