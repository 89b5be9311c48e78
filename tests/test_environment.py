"""environment.yml (conda) and pyproject.toml (pip) must list the same packages and pins."""

import re
import tomllib

import yaml
from conftest import REPO


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = {}
    for req in reqs:
        name, version = req.split("==")
        pins[normalise(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for req in dep["pip"]:
                if "==" in req:
                    name, version = req.split("==")
                    pins[normalise(name)] = version
        elif "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            pins[normalise(name)] = version
    return pins


def test_same_packages_and_versions():
    pip, conda = pip_pins(), conda_pins()
    assert set(pip) == set(conda), (
        f"only in pyproject: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}"
    )
    assert {k: v for k, v in pip.items() if conda[k] != v} == {}


def test_python_version_agrees():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "3.11" in project["requires-python"]


def test_rule_environment_pins_match():
    env = yaml.safe_load((REPO / "workflow" / "envs" / "newslens.yaml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pins.update({normalise(r.split("==")[0]): r.split("==")[1] for r in dep["pip"]})
        elif "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            pins[normalise(name)] = version
    pip = pip_pins()
    assert {k: v for k, v in pins.items() if pip.get(k) != v} == {}
    # every runtime package (not the test tools, not snakemake itself) is in the rule env
    runtime = set(pip) - {"pytest", "ruff", "snakefmt", "snakedeploy", "snakemake"}
    assert runtime <= set(pins), sorted(runtime - set(pins))
