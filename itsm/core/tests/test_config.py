"""Start-up stops with one line naming a missing or malformed setting."""

import os
import subprocess
import sys

import pytest


def run_itsm(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update({"ITSM_ENV_FILE": os.devnull, "ITSM_DATA_DIR": str(tmp_path)})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "itsm", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "itsm: configuration error: SECRET_KEY is required but not set"),
        (
            {"SECRET_KEY": "k", "DATABASE_URL": "mysql://x@y/z"},
            "itsm: configuration error: DATABASE_URL must be a sqlite:// or postgres:// URL",
        ),
        (
            {"SECRET_KEY": "k", "ITSM_EMAIL_PORT": "twenty-five"},
            "itsm: configuration error: ITSM_EMAIL_PORT must be an integer, got 'twenty-five'",
        ),
        (
            {"SECRET_KEY": "k", "ITSM_DEBUG": "maybe"},
            "itsm: configuration error: ITSM_DEBUG must be a boolean",
        ),
    ],
)
def test_bad_configuration_stops_with_one_line(overrides, expected, tmp_path):
    result = run_itsm("check", env_overrides=overrides, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected)


def test_good_configuration_starts(tmp_path):
    result = run_itsm("check", env_overrides={"SECRET_KEY": "k"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
