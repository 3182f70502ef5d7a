"""`prefect.yaml` describes a deployment Prefect can load, with parameters the flow accepts."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT


def test_prefect_yaml_deployment_points_at_the_flow() -> None:
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = config["deployments"]
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    assert flow.name == "bilingual"
    flow.validate_parameters(deployment["parameters"])
    assert [s["cron"] for s in deployment["schedules"]] == ["0 * * * *"]
