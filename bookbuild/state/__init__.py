"""State kept between builds, all of it read and written here: `store.py` (paths, atomic
writes, checked reads, SHA-256), `records.py` (the typed records), `freeze.py` (execution
cache entries), `memo.py` (parses and rendered chapters), `edition.py` (when nothing needs
rendering) and `publish.py` (the atomic swap into `_book/`)."""
