"""The ledger: round trip, a torn last line tolerated and cut, corruption reported by line number."""

import json

import pytest

from searchlab.errors import LedgerError
from searchlab.ledger import LedgerWriter, read_events


def write_three(path):
    with LedgerWriter(path) as w:
        w.append("run_started", settings={"problem": "x"}, budget={"evaluations": 3})
        w.append("submitted", id=0, candidate={"actions": [1, "a"], "params": {"x": 0.1}, "key": "k"}, seed=7)
        w.append("finished", id=0, result={"status": "ok", "value": 1.25})


def test_round_trip(tmp_path):
    path = tmp_path / "ledger.jsonl"
    write_three(path)
    events = read_events(path)
    assert [e["type"] for e in events] == ["run_started", "submitted", "finished"]
    assert events[1]["candidate"]["params"] == {"x": 0.1} and events[1]["seed"] == 7
    assert all(e["v"] == 1 and isinstance(e["t"], float) for e in events)
    assert path.read_bytes().endswith(b"\n")


def test_torn_last_line_is_ignored_and_cut_before_next_append(tmp_path):
    path = tmp_path / "ledger.jsonl"
    write_three(path)
    good = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write(b'{"v":1,"type":"submitted","id":1,"cand')  # a crash mid-write
    assert len(read_events(path)) == 3
    with LedgerWriter(path) as w:
        w.append("submitted", id=1, candidate={"actions": [], "params": {}, "key": "k2"}, seed=8)
    data = path.read_bytes()
    assert data.startswith(good)
    assert [e.get("id") for e in read_events(path)][-1] == 1
    assert b"cand\n" not in data and data.count(b"\n") == 4


def test_corrupted_middle_line_reports_its_number(tmp_path):
    path = tmp_path / "ledger.jsonl"
    write_three(path)
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][:20] + b"###" + lines[1][23:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LedgerError, match="line 2"):
        read_events(path)
    with pytest.raises(LedgerError, match="line 2"):
        LedgerWriter(path)  # never appends after corruption


def test_unknown_schema_version_is_refused(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(json.dumps({"v": 99, "type": "run_started", "t": 0}) + "\n")
    with pytest.raises(LedgerError, match="schema version 99"):
        read_events(path)


def test_non_finite_values_are_rejected_not_written(tmp_path):
    with LedgerWriter(tmp_path / "l.jsonl") as w, pytest.raises(ValueError):
        w.append("finished", id=0, result={"value": float("nan")})
