"""The platform's Airflow operators and the event generator (Airflow's plugins folder is on sys.path)."""
from dataplatform_operators.spark import DbtOperator, SparkOperator, TemplateJobOperator
from dataplatform_operators.starburst import StarburstOperator

__all__ = ["DbtOperator", "SparkOperator", "StarburstOperator", "TemplateJobOperator"]
