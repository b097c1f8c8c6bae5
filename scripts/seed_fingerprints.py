"""Write hashed 8-word fingerprints of the seed reviews to tests/data/seed_8grams.txt.

The book must paraphrase the two review papers it is built on, never copy them.
The test that checks this compares the book's 8-word sequences with these
fingerprints, so it runs without the papers themselves (and the repository holds
no text of theirs). Regenerate after the seeds change:

    python scripts/seed_fingerprints.py ../shared/seeds
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

N = 8
OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed_8grams.txt"


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words of ``text``."""
    return re.findall(r"[a-z0-9]+", text.lower())


def fingerprints(text: str, n: int = N) -> set[str]:
    """Hashes of every run of ``n`` consecutive words in ``text``."""
    w = words(text)
    return {
        hashlib.blake2b(" ".join(w[i : i + n]).encode(), digest_size=8).hexdigest()
        for i in range(len(w) - n + 1)
    }


def seed_fingerprints(folder: Path) -> set[str]:
    """Fingerprints of every ``*.txt`` file in ``folder``."""
    found: set[str] = set()
    files: Iterable[Path] = sorted(folder.glob("*.txt"))
    for path in files:
        found |= fingerprints(path.read_text(encoding="utf-8"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=Path, help="folder with the seed papers as .txt")
    args = parser.parse_args()
    hashes = seed_fingerprints(args.seeds)
    if not hashes:
        raise SystemExit(f"no .txt seed papers found in {args.seeds}")
    OUTPUT.write_text("\n".join(sorted(hashes)) + "\n")
    print(f"wrote {len(hashes)} fingerprints to {OUTPUT}")


if __name__ == "__main__":
    main()
