"""Airflow in a throw-away home; the platform's plugins folder on the path, as Airflow puts it."""
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_DIR = ROOT / "components" / "airflow"
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="airflow-home-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(AIRFLOW_DIR / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(AIRFLOW_DIR / "plugins")
sys.path.insert(0, str(AIRFLOW_DIR / "plugins"))
sys.path.insert(0, str(ROOT / "test" / "support"))
