"""Reads bounded by bytes actually read: at most `limit` + 1 bytes, whatever a file claims to hold
(a device such as /dev/zero, a pipe or a growing file stops at the limit)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO


class TooLarge(ValueError):
    """A file or stream holds more than the accepted number of bytes."""


def read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """The bytes of a binary stream; TooLarge("larger than N bytes") when it holds more than `limit`."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"larger than {limit:,} bytes")
    return data


def read_file_at_most(path: str | Path, limit: int) -> bytes:
    """The bytes of a file; ValueError naming the file if it holds more than `limit` or cannot be read."""
    try:
        with open(path, "rb") as handle:
            return read_at_most(handle, limit)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except TooLarge as exc:
        raise TooLarge(f"{path}: {exc}") from None
