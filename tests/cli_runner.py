"""Run `python -m model` as a user would, and read and write the CSVs it takes (shared by the CLI tests)."""

import csv
import subprocess
import sys

from conftest import PRESETS, ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "model", "--presets", PRESETS, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def write_csv(path, rows):
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
