"""`searchlab bench cav`: a tiny real comparison, AV overrides with --set, one-line errors."""

import json

import pytest

from ..helpers import cli


def test_bench_cav_cutin_writes_report_for_an_overridden_av(tmp_path):
    proc = cli("bench", "cav", "--env", "cutin", "--seeds", "3", "--budget", "200", "--set", "av.delay=0.7",
               "--out", str(tmp_path))
    assert "True crash probability" in proc.stdout
    data = json.loads((tmp_path / "cav_cutin_default_custom.json").read_text())
    assert data["config"]["av"]["delay"] == 0.7 and data["config"]["env"] == "cutin"
    assert 0 < data["true_crash_probability"] < 1


@pytest.mark.parametrize("args, message", [
    (["--set", "delay=1"], "av.<field>=<number>"),
    (["--set", "av.delay=x"], "expected a number"),
    (["--env", "highway"], "unknown environment"),
    (["--av", "nope"], "unknown AV"),
])
def test_bad_input(args, message):
    proc = cli("bench", "cav", *args, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and message in proc.stderr
