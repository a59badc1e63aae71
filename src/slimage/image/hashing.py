"""sha256 on the hashing thread: layer digests and file contents, so hashing overlaps parsing."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slimage.image.regions import Chunk

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

# Called with successive pieces of one file's bytes (see slimage.image.tarstream.scan_tar).
ContentSink = Callable[[memoryview], None]


class BackgroundHasher:
    """sha256 computed on a worker thread, so hashing overlaps with tar parsing.

    hashlib releases the GIL while hashing buffers of a few kB or more, so on two cores
    the layer's digest costs almost no wall time. At most ``MAX_PENDING`` chunks wait,
    which bounds the memory it holds.
    """

    MAX_PENDING = 4
    _executor: ThreadPoolExecutor | None = None

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self._pending: deque[Future[None]] = deque()

    @classmethod
    def _pool(cls) -> ThreadPoolExecutor:
        if cls._executor is None:
            # Imported on first use: layers read from files are hashed elsewhere.
            from concurrent.futures import ThreadPoolExecutor

            cls._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slimage-hash")
        return cls._executor

    def update(self, data: Chunk) -> None:
        if len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool().submit(self._hasher.update, data))

    def hexdigest(self) -> str:
        while self._pending:
            self._pending.popleft().result()
        return self._hasher.hexdigest()


class HashBatch:
    """sha256 of many files' contents, computed on the hashing thread in batches.

    The tar scanner hands out memoryviews of immutable chunks, so they can be hashed a
    little later; batching a megabyte of updates per task keeps the hand-off cheap for
    small files. :meth:`wait` must be called before reading a digest.
    """

    BATCH_BYTES = 1 << 20
    MAX_PENDING = 4

    def __init__(self) -> None:
        self._updates: list[tuple[Callable[[memoryview], None], memoryview]] = []
        self._size = 0
        self._pending: deque[Future[None]] = deque()

    def sink(self, hasher: Any) -> ContentSink:
        update = hasher.update

        def sink(data: memoryview) -> None:
            self._updates.append((update, data))
            self._size += len(data)
            if self._size >= self.BATCH_BYTES:
                self._submit()

        return sink

    def _submit(self) -> None:
        work, self._updates, self._size = self._updates, [], 0
        if len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(BackgroundHasher._pool().submit(_run_updates, work))

    def wait(self) -> None:
        if self._updates:
            self._submit()
        while self._pending:
            self._pending.popleft().result()


def _run_updates(work: list[tuple[Callable[[memoryview], None], memoryview]]) -> None:
    for update, data in work:
        update(data)
