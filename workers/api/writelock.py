"""A lock file that orders the API processes' writes to one SQLite store.

SQLite lets one writer in at a time and makes the others poll: a connection that finds the write lock taken
sleeps in its busy handler (1, 2, 5 ... up to 100 ms between tries) and may lose again to a writer that
never slept. With several API processes committing back to back, a batch could wait hundreds of milliseconds
for a lock that was free most of that time. Taking an exclusive `flock` on a file beside the database before
the transaction hands the store over in turn instead: a waiting writer is woken the moment the other one
commits. Other databases (PostgreSQL) and in-memory SQLite need no such lock.
"""

from __future__ import annotations

import os
import threading

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone decides
    fcntl = None  # type: ignore[assignment]

SUFFIX = "-writelock"


def lock_path(engine: Engine) -> str | None:
    """The lock file for `engine`'s store: beside a SQLite database file, else None (no lock needed)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename (shared memory, options): left to SQLite
    return os.path.abspath(os.path.expanduser(url.database)) + SUFFIX


class WriteLock:
    """`with lock:` holds the store's write turn across processes (and threads of this one)."""

    def __init__(self, path: str | None) -> None:
        self.path = path if fcntl is not None else None
        self._fd: int | None = None
        self._thread_lock = threading.Lock()

    @classmethod
    def for_engine(cls, engine: Engine) -> WriteLock:
        return cls(lock_path(engine))

    def __enter__(self) -> WriteLock:
        self._thread_lock.acquire()
        if self.path is None:
            return self
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
