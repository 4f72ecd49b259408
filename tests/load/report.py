"""``python -m tests.load.report <prefix>``: the figures of a Locust run from its CSV
stats (``--csv <prefix>``): requests per second, p50 and p95 per kind of request, and
the errors. Exits 1 if any request failed."""

import csv
import sys
from pathlib import Path


def main(prefix: str) -> int:
    rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text().splitlines()))
    width = max(len(r["Name"]) for r in rows) + 2
    print(f"\n{'request':<{width}}{'count':>8}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:<{width}}{row['Request Count']:>8}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.2f}{row['50%']:>9}{row['95%']:>9}"
        )
    failures = Path(f"{prefix}_failures.csv")
    errors = list(csv.DictReader(failures.read_text().splitlines())) if failures.exists() else []
    for e in errors:
        print(f"error: {e['Method']} {e['Name']}: {e['Error']} ({e['Occurrences']}x)")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\n{total['Request Count']} requests, {total['Failure Count']} errors")
    return 1 if int(total["Failure Count"]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
