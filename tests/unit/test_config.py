"""Every ILO_* knob is read in ilo/config.py and nowhere else, and each is documented there."""

from __future__ import annotations

import re

from conftest import REPO

from ilo import config


def _sources():
    for path in sorted((REPO / "ilo").rglob("*.py")):
        yield path, path.read_text()


def test_only_config_reads_ilo_environment_variables():
    reads = re.compile(r"""(environ(\.get)?\s*[\[(]|getenv\s*\()\s*["']ILO_""")
    offenders = [str(p.relative_to(REPO)) for p, text in _sources()
                 if p.name != "config.py" and reads.search(text)]
    assert offenders == [], f"read ILO_* knobs through ilo.config: {offenders}"


def test_every_knob_config_reads_is_in_its_table():
    text = (REPO / "ilo" / "config.py").read_text()
    doc = config.__doc__ or ""
    for name in set(re.findall(r'["\'](ILO_[A-Z_]+)["\']', text)):
        assert f"| {name}" in doc, f"{name} is read but missing from config.py's table"


def test_live_knobs_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ILO_DEBUG", "1")
    monkeypatch.setenv("ILO_HISTORY", str(tmp_path / "h"))
    assert config.cache_dir() == tmp_path and config.debug() and config.history_file() == tmp_path / "h"
    monkeypatch.delenv("ILO_DEBUG")
    monkeypatch.delenv("ILO_CACHE_DIR")
    assert not config.debug() and config.cache_dir() == config.CACHE_DIR
