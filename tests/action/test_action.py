"""action.yml run step by step, in order, as the GitHub runner runs a composite action.

The harness reads action.yml, evaluates each step's ``if:`` (the expression subset the
action uses: ``inputs.*``, ``steps.*.outputs.*``, ``always()``, ``==``, ``!=``, ``&&``,
``||``), runs the ``run:`` steps with bash and the env the runner gives them
(``GITHUB_OUTPUT``, ``GITHUB_ACTION_PATH``, ``RUNNER_TEMP``), collects their outputs, and
records the ``uses:`` steps (setup-python, upload-sarif, upload-artifact) with their
resolved ``with:`` instead of running them. The scripts run for real, with the slimage
of this checkout on PATH, on real Dockerfiles and the bundled fat sample image.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")


@dataclass
class Step:
    name: str
    ran: bool
    returncode: int = 0
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    steps: list[Step]
    failed: bool

    def step(self, name: str) -> Step:
        (found,) = [step for step in self.steps if step.name == name]
        return found


def _evaluate(
    expression: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]], failed: bool
) -> Any:
    python = re.sub(r"inputs\.([A-Za-z0-9_-]+)", lambda m: repr(inputs[m[1]]), expression)
    python = re.sub(
        r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)",
        lambda m: repr(outputs.get(m[1], {}).get(m[2], "")),
        python,
    )
    python = python.replace("github.action_path", repr(str(ROOT)))
    python = python.replace("always()", "True").replace("success()", repr(not failed))
    python = python.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    return eval(python, {"__builtins__": {}}, {})  # the action's own, fixed expressions


def _expand(
    text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]], failed: bool
) -> str:
    return EXPRESSION.sub(lambda m: str(_evaluate(m[1], inputs, outputs, failed)), text)


def run_action(given: dict[str, str], tmp_path: Path, path: str) -> Run:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs.update(given)
    outputs: dict[str, dict[str, str]] = {}
    steps: list[Step] = []
    failed = False
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    for number, spec in enumerate(ACTION["runs"]["steps"]):
        condition = spec.get("if")
        if condition is not None:
            text = EXPRESSION.fullmatch(condition.strip())
            run_it = bool(_evaluate(text[1] if text else condition, inputs, outputs, failed))
        else:
            run_it = not failed
        if not run_it:
            steps.append(Step(spec["name"], ran=False))
            continue
        if "uses" in spec:
            resolved = {
                k: _expand(str(v), inputs, outputs, failed) for k, v in spec.get("with", {}).items()
            }
            steps.append(Step(spec["name"], ran=True, with_=resolved))
            continue
        output_file = tmp_path / f"output-{number}"
        output_file.write_text("")
        env = {
            "PATH": path,
            "HOME": str(tmp_path),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ACTION_PATH": str(ROOT),
            "RUNNER_TEMP": str(temp),
            "NO_COLOR": "1",
        }
        env.update(
            {k: _expand(str(v), inputs, outputs, failed) for k, v in spec.get("env", {}).items()}
        )
        assert spec["shell"] == "bash"
        done = subprocess.run(
            ["bash", "-e", "-c", _expand(spec["run"], inputs, outputs, failed)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        step_outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        if "id" in spec:
            outputs[spec["id"]] = step_outputs
        steps.append(
            Step(spec["name"], True, done.returncode, done.stdout + done.stderr, step_outputs)
        )
        failed = failed or done.returncode != 0
    return Run(steps, failed)


@pytest.fixture(scope="module")
def path() -> str:
    """PATH with this checkout's slimage first (the install step's result)."""
    return f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"


@pytest.fixture(scope="module")
def fat_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    image = tmp_path_factory.mktemp("image") / "fat-sample.tar"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample_image.py"), str(image)], check=True
    )
    return image


def test_lint_and_analyze_with_a_failing_gate(tmp_path: Path, path: str, fat_sample: Path) -> None:
    run = run_action(
        {
            "install": "false",
            "paths": "examples/fat-node/Dockerfile",
            "image": str(fat_sample),
            "max-size": "1MB",
            "artifact-name": "report",
        },
        tmp_path,
        path,
    )
    names = [step.name for step in run.steps if step.ran]
    assert names == [
        "Install slimage",
        "Lint Dockerfiles",
        "Upload SARIF to code scanning",
        "Analyze the image",
        "Upload the HTML report",
        "Verdict",
    ]
    assert not run.step("Set up Python").ran
    lint = run.step("Lint Dockerfiles")
    assert lint.returncode == 0 and lint.outputs["exit-code"] == "1"
    assert "::warning file=examples/fat-node/Dockerfile" in lint.stdout
    sarif = json.loads(Path(lint.outputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert run.step("Upload SARIF to code scanning").with_ == {
        "sarif_file": lint.outputs["sarif-file"],
        "category": "slimage",
    }
    analyze = run.step("Analyze the image")
    assert analyze.returncode == 0 and analyze.outputs["exit-code"] == "1"
    assert "max-size" in analyze.stdout
    html = Path(analyze.outputs["html-report"])
    assert html.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert run.step("Upload the HTML report").with_ == {"name": "report", "path": str(html)}
    verdict = run.step("Verdict")
    assert verdict.returncode == 1
    assert "lint found problems" in verdict.stdout and "an analyze gate failed" in verdict.stdout
    assert run.failed


def test_a_clean_dockerfile_passes_and_no_image_means_no_analysis(
    tmp_path: Path, path: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text(
        "FROM gcr.io/distroless/static-debian12:nonroot\n"
        'COPY --chown=65532:65532 app /app\nUSER 65532\nENTRYPOINT ["/app"]\n'
    )
    (project / ".dockerignore").write_text(".git\n")
    (project / "app").write_text("app\n")
    run = run_action(
        {"install": "false", "paths": str(project), "upload-sarif": "false"}, tmp_path, path
    )
    assert run.step("Lint Dockerfiles").outputs["exit-code"] == "0"
    assert not run.step("Upload SARIF to code scanning").ran
    assert not run.step("Analyze the image").ran
    assert not run.step("Upload the HTML report").ran
    assert run.step("Verdict").returncode == 0
    assert not run.failed


def test_a_usage_error_fails_at_once(tmp_path: Path, path: str) -> None:
    run = run_action({"install": "false", "fail-level": "fatal"}, tmp_path, path)
    lint = run.step("Lint Dockerfiles")
    assert lint.returncode == 2
    assert "slimage lint failed with exit code 2" in lint.stdout
    # Nothing to upload, and the job has already failed.
    assert [step.name for step in run.steps if step.ran] == ["Install slimage", "Lint Dockerfiles"]
    assert run.failed


def test_install_false_without_slimage_on_path(tmp_path: Path) -> None:
    run = run_action({"install": "false"}, tmp_path, "/usr/bin:/bin")
    install = run.step("Install slimage")
    assert install.returncode == 2 and "slimage is not on PATH" in install.stdout


def test_every_input_and_output_is_documented() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text()
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert f"`{name}`" in docs, name
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description"), name
        assert f"`{name}`" in docs, name
    # The copy-paste workflow in the docs uses only inputs that exist.
    workflow = docs.split("```yaml", 1)[1].split("```", 1)[0]
    used = yaml.safe_load(workflow)
    step = next(s for s in used["jobs"]["slimage"]["steps"] if "slimage" in str(s.get("uses", "")))
    assert set(step.get("with", {})) <= set(ACTION["inputs"])
