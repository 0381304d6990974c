"""The create-user Job's script under the pinned Airflow and the FAB auth manager the chart configures.

Runs components/airflow/create-admin.sh exactly as the Job does (bash -c <script> -- <user> <e-mail>)
against a freshly migrated metadata database, then checks the user, its role and its password.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AIRFLOW_DIR

SCRIPT = (AIRFLOW_DIR / "create-admin.sh").read_text()
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-admin")
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__AUTH_MANAGER": FAB,
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db", "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    migrated = subprocess.run(["airflow", "db", "migrate"], env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
    return env, home


def run_job(env, home, password):
    secret = home / "password"
    secret.write_text(password)
    return subprocess.run(["bash", "-c", SCRIPT, "--", "platform-admin", "platform-admin@data-platform.local"],
                          env={**env, "ADMIN_PASSWORD_FILE": str(secret)}, capture_output=True, text=True)


def stored_user(env, name):
    code = (
        "import sys\n"
        "from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder\n"
        "from werkzeug.security import check_password_hash\n"
        "with get_application_builder() as ab:\n"
        "    u = ab.sm.find_user(username=sys.argv[1])\n"
        "    print(u.email, ','.join(r.name for r in u.roles), check_password_hash(u.password, sys.argv[2]))\n"
    )
    return lambda password: subprocess.run([sys.executable, "-c", code, name, password], env=env, capture_output=True, text=True)


def test_the_job_creates_the_admin_with_the_secrets_password_and_a_rerun_keeps_it(airflow_env):
    env, home = airflow_env
    first = run_job(env, home, "Gen3rated-in-Pulumi")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    check = stored_user(env, "platform-admin")
    out = check("Gen3rated-in-Pulumi")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "platform-admin@data-platform.local Admin True"
    assert check("admin").stdout.strip().splitlines()[-1].endswith("False")
    # A replaced or retried Job runs the script again: it must succeed and leave the user alone.
    again = run_job(env, home, "another-password")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert check("Gen3rated-in-Pulumi").stdout.strip().splitlines()[-1].endswith("True")


def test_the_password_is_on_no_command_line(airflow_env, tmp_path):
    """Every airflow process the script starts is recorded (argv) on its way to the real CLI: none carries the password."""
    env, home = airflow_env
    real = Path(sys.executable).parent / "airflow"
    record = tmp_path / "argv"
    shim = tmp_path / "bin" / "airflow"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/bash\nprintf "%s\\n" "$*" >> {record}\nexec {real} "$@"\n')
    shim.chmod(0o755)
    secret = home / "password-argv"
    secret.write_text("Never-0n-a-command-line")
    run = subprocess.run(["bash", "-c", SCRIPT, "--", "argv-admin", "argv-admin@data-platform.local"],
                         env={**env, "ADMIN_PASSWORD_FILE": str(secret), "PATH": f"{shim.parent}:{env['PATH']}"}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "users create" in record.read_text()
    assert "Never-0n-a-command-line" not in record.read_text()
    assert stored_user(env, "argv-admin")("Never-0n-a-command-line").stdout.strip().splitlines()[-1].endswith("True")
