"""S3 object bytes as files: `<root>/tmp/` while a body arrives, `<root>/blobs/<id>` once durable.

A writer appends to a temp file; `finish()` flushes it and renames it into blobs/ before the caller commits
the record that names the blob, so an acknowledged put survives kill -9 (the bytes are in the OS's
cache) and a crash mid-upload leaves only a temp file, which the next start removes. At durability
"full" the file and the folder are also fsynced before the rename is trusted (survives power loss), as
the database's commits are. Reads open the file first, so a
blob deleted while being read (a newer put) is still read to its end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

READ_CHUNK = 1024 * 1024


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBlobWriter:
    def __init__(self, store: FileBlobStore) -> None:
        self._store = store
        self._id = uuid.uuid4().hex
        self._tmp = store.tmp / self._id
        self._file: BinaryIO | None = self._tmp.open("wb")

    def write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)

    async def finish(self) -> str:
        assert self._file is not None
        file, self._file = self._file, None
        if self._store.fsync:
            await asyncio.to_thread(self._durable, file)  # fsyncs stay off the event loop
        else:
            self._durable(file)
        return self._id

    def _durable(self, file: BinaryIO) -> None:
        file.flush()
        if self._store.fsync:
            os.fsync(file.fileno())
        file.close()
        os.replace(self._tmp, self._store.path(self._id))
        if self._store.fsync:
            _fsync_dir(self._store.blobs)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._tmp.unlink(missing_ok=True)


class FileBlobStore:
    def __init__(self, root: Path, fsync: bool = False) -> None:
        self.root = root
        self.fsync = fsync
        self.tmp = root / "tmp"
        self.blobs = root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        # Bodies that were arriving when the process stopped never became objects.
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, blob: str) -> Path:
        return self.blobs / blob

    def writer(self) -> FileBlobWriter:
        return FileBlobWriter(self)

    def size(self, blob: str) -> int:
        return self.path(blob).stat().st_size

    def read(self, blob: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        file = self.path(blob).open("rb")
        return _chunks(file, start, end)

    async def concat(self, blobs: list[str]) -> str:
        writer = self.writer()

        def copy() -> None:
            assert writer._file is not None
            for blob in blobs:
                with self.path(blob).open("rb") as source:
                    shutil.copyfileobj(source, writer._file, READ_CHUNK)

        try:
            await asyncio.to_thread(copy)
            return await writer.finish()
        except BaseException:
            writer.abort()
            raise

    def delete(self, blobs: list[str]) -> None:
        for blob in blobs:
            self.path(blob).unlink(missing_ok=True)

    def clear(self) -> None:
        for folder in (self.blobs, self.tmp):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)


async def _chunks(file: BinaryIO, start: int, end: int | None) -> AsyncIterator[bytes]:
    try:
        file.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            data = file.read(READ_CHUNK if left is None else min(READ_CHUNK, left))
            if not data:
                return
            if left is not None:
                left -= len(data)
            yield data
    finally:
        file.close()
