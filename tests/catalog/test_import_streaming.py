"""Streaming: a 100,000-row catalogue is read row by row, never held in memory whole.

Memory is measured as the growth of resident memory in a fresh process (tracemalloc would be exact but
slows the reading several times over).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import synthetic

ROWS = 100_000
ROOT = Path(__file__).resolve().parents[2]


def write_catalogue(path: Path, rows: int) -> Path:
    """`rows` distinct products made from one synthetic template (quick to write, realistic in size)."""
    template = next(synthetic.records(1))
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix == ".csv":
            writer = csv.writer(out)
            writer.writerow(synthetic.HEADER)
            cells = synthetic.csv_row(template)
            for i in range(rows):
                cells[0] = f"SKU-{i:07d}"
                writer.writerow(cells)
        else:
            line = json.dumps({**template, "sku": "@SKU@"}, ensure_ascii=False)
            if path.suffix == ".json":
                out.write("[\n")
                out.writelines(
                    ("," if i else "") + line.replace("@SKU@", f"SKU-{i:07d}") + "\n" for i in range(rows)
                )
                out.write("]\n")
            else:
                out.writelines(line.replace("@SKU@", f"SKU-{i:07d}") + "\n" for i in range(rows))
    return path


# Run in a fresh interpreter so that the high-water mark of resident memory is the reading's own.
MEASURE = """
import resource, sys
from catalog.importer import read_products
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
accepted = sum(row.product is not None for row in read_products(sys.argv[1]))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(accepted, (after - before) * 1024)
"""


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl"])
def test_a_large_file_is_read_in_bounded_memory(tmp_path: Path, suffix: str) -> None:
    path = write_catalogue(tmp_path / f"catalogue{suffix}", ROWS)
    size = path.stat().st_size
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env, check=True
    )
    accepted, growth = map(int, done.stdout.split())
    assert accepted == ROWS
    # What does grow is the index of SKUs seen (for duplicates), about 100 bytes a row; holding the rows
    # instead would take several times the size of the file.
    assert growth < size / 3, f"resident memory grew {growth:,} bytes reading a {size:,}-byte file"
