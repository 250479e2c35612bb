"""The lock file that lets API processes take turns writing to one SQLite store."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from workers.api.writelock import WriteLock, lock_path
from workers.store import open_engine

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")

# Another process asking for the lock without waiting: prints whether it got it.
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("held")
else:
    print("free")
"""


def probe(path: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_sqlite_file_gets_a_lock_file_beside_it_and_other_stores_none(tmp_path: Path) -> None:
    assert lock_path(open_engine(f"sqlite:///{tmp_path}/store.db")) == f"{tmp_path}/store.db-writelock"
    assert lock_path(open_engine("sqlite://")) is None
    assert lock_path(open_engine("postgresql://user:secret@127.0.0.1/db")) is None


def test_the_lock_keeps_other_processes_out_until_it_is_let_go(engine: Engine) -> None:
    path = lock_path(engine)
    if path is None:
        pytest.skip("only a SQLite store has a lock file")
    lock = WriteLock(path)
    with lock:
        assert probe(path) == "held\n"
    assert probe(path) == "free\n"
    lock.close()


def test_a_waiting_writer_goes_as_soon_as_the_other_lets_go(tmp_path: Path) -> None:
    path = str(tmp_path / "store.db-writelock")
    first, second = WriteLock(path), WriteLock(path)  # two open files: they exclude each other like processes
    waiting, got = threading.Event(), threading.Event()

    def writer() -> None:
        waiting.set()
        with second:
            got.set()

    with first:
        thread = threading.Thread(target=writer)
        thread.start()
        waiting.wait()
        assert not got.is_set() and probe(path) == "held\n"
    thread.join()
    assert got.is_set() and probe(path) == "free\n"
    first.close()
    second.close()
