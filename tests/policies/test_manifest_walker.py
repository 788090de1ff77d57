"""`check --manifests`: every YAML file under the folder is judged, whatever kustomize does.

The walker used to build only the kustomizations no other kustomization references, and
to skip every file in a kustomization's folder: two kustomizations that include each
other had no root, so a privileged, host-network `:latest` Pod beside them was judged
nowhere and the run passed with "0 resources". Now each file is judged by exactly one
route (a root kustomization's build, or as a plain file), and a cycle is an error.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from pathlib import Path

import pytest

from bootstrap.cli import main
from components.untrusted import InputError
from policies.sources import kustomize
from policies.sources.manifests import load_manifests

BAD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  hostNetwork: true
  containers:
    - name: app
      image: nginx:latest
      securityContext:
        privileged: true
"""


def config_map(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata: {{a: b}}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cycle_tree(root: Path) -> Path:
    write(root / "pods" / "pod.yaml", BAD_POD)
    write(root / "pods" / "kustomization.yaml", "resources:\n  - pod.yaml\n")
    write(root / "a" / "kustomization.yaml", "resources:\n  - ../b\n  - ../pods\n")
    write(root / "b" / "kustomization.yaml", "resources:\n  - ../a\n  - ../pods\n")
    return root


def test_reference_cycle_is_refused_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = cycle_tree(tmp_path / "tree")
    out = tmp_path / "plan.json"
    assert main(["check", "--manifests", str(root), "--json", str(out)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"{root / 'a' / 'kustomization.yaml'}:2: kustomization reference cycle: " in line
    assert f"{root / 'a'} -> {root / 'b'} -> {root / 'a'}" in line
    assert not out.exists()


def test_the_cycles_shared_folder_alone_shows_the_violations(tmp_path: Path) -> None:
    root = cycle_tree(tmp_path / "tree")
    out = tmp_path / "plan.json"
    assert main(["check", "--manifests", str(root / "pods"), "--json", str(out)]) == 1
    results = json.loads(out.read_text())["results"]
    failed = {c for r in results if r["status"] == "fail" for c in r["controls"]}
    # privileged, host network, :latest
    assert {"KUBE-POD-01", "KUBE-POD-02", "KUBE-IMG-02"} <= failed


def test_file_beside_a_kustomization_but_not_listed_is_judged(tmp_path: Path) -> None:
    write(tmp_path / "app" / "kustomization.yaml", "resources: [listed.yaml]\n")
    write(tmp_path / "app" / "listed.yaml", config_map("listed"))
    write(tmp_path / "app" / "hidden.yaml", BAD_POD)
    names = sorted(r["name"] for r in load_manifests(tmp_path))
    assert names == ["bad", "listed"]


def test_patch_files_are_judged_through_the_build_not_raw(tmp_path: Path) -> None:
    write(tmp_path / "kustomization.yaml", "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n")
    write(tmp_path / "cm.yaml", config_map("settings"))
    write(
        tmp_path / "patch.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: patched}\n",
    )
    [resource] = load_manifests(tmp_path)
    assert resource["inputs"]["data"] == {"a": "patched"}


def test_symlinked_file_inside_the_tree_is_judged_once(tmp_path: Path) -> None:
    write(tmp_path / "real.yaml", config_map("once"))
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    (tmp_path / "folder-link").symlink_to(tmp_path)  # a loop back to the root
    assert [r["name"] for r in load_manifests(tmp_path)] == ["once"]


def test_symlinked_folder_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "outside" / "pod.yaml", BAD_POD)
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "escape").symlink_to(tmp_path / "outside")
    with pytest.raises(InputError, match="outside"):
        load_manifests(tmp_path / "tree")


# ---- a generated tree: no YAML file escapes judgement


def generated_tree(root: Path, seed: int) -> set[str]:
    """Kustomizations nested in each other, included or not, files listed or not.

    Returns the names of every object written. Each kustomization is included by at most
    one other (kustomize refuses the same object twice in one build).
    """
    rng = random.Random(seed)
    names: set[str] = set()
    folders = [root / "f0"]
    for index in range(1, 7):
        parent = rng.choice([root, *folders])
        folders.append(parent / f"f{index}")
    kustomized = [folder for folder in folders if rng.random() < 0.7]
    included: set[Path] = set()
    for number, folder in enumerate(folders):
        files = []
        for file_number in range(rng.randint(1, 2)):
            objects = [f"o{number}-{file_number}-{k}" for k in range(rng.randint(1, 2))]
            names.update(objects)
            name = f"objects{file_number}.{'yaml' if rng.random() < 0.7 else 'yml'}"
            write(folder / name, "---\n".join(config_map(o) for o in objects))
            files.append(name)
        if folder not in kustomized:
            continue
        listed = [name for name in files if rng.random() < 0.7]
        later = [k for k in kustomized if k not in included and str(k) > str(folder)]
        bases = [k for k in later if rng.random() < 0.4]
        included.update(bases)
        entries = listed + [os.path.relpath(base, folder) for base in bases]
        text = "resources:\n" + "".join(f"  - {entry}\n" for entry in entries)
        write(folder / "kustomization.yaml", text if entries else "resources: []\n")
    write(root / "loose.yaml", config_map("loose-0") + "---\n" + config_map("loose-1"))
    names.update({"loose-0", "loose-1"})
    return names


@pytest.mark.parametrize("seed", range(4))
def test_no_yaml_file_escapes_judgement(tmp_path: Path, seed: int) -> None:
    expected = generated_tree(tmp_path, seed)
    judged = [r["name"] for r in load_manifests(tmp_path)]
    assert sorted(judged) == sorted(expected)  # every object, each exactly once


@pytest.mark.parametrize("seed", range(2))
def test_generated_tree_with_a_cycle_is_refused(tmp_path: Path, seed: int) -> None:
    generated_tree(tmp_path, seed)
    write(tmp_path / "c1" / "kustomization.yaml", "resources: [../c2]\n")
    write(tmp_path / "c2" / "kustomization.yaml", "resources: [../c1]\n")
    with pytest.raises(InputError, match="kustomization reference cycle"):
        load_manifests(tmp_path)


# ---- kustomize: no network, even for an entry that slips past the checks


@pytest.mark.parametrize(
    ("entry", "evidence"),
    [
        ("https://example.com/pod.yaml", kustomize.UNREACHABLE_PROXY.removeprefix("http://")),
        ("github.com/example/repo//deploy?ref=v1", "executable file not found"),
    ],
)
def test_kustomize_runs_without_a_way_to_the_network(
    tmp_path: Path, entry: str, evidence: str
) -> None:
    write(tmp_path / "kustomization.yaml", f"resources:\n  - {entry}\n")
    with pytest.raises(InputError) as refused:
        kustomize.build(tmp_path)  # the build alone, without the up-front refusal
    message = str(refused.value)
    assert "kubectl kustomize failed" in message and evidence in message
    assert "no such host" not in message  # no name was looked up


def test_offline_environment_inherits_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "inherited")
    environment = kustomize.offline_environment("/nonexistent-home")
    assert "GITHUB_TOKEN" not in environment and environment["PATH"] == ""
    assert environment["HTTPS_PROXY"] == environment["https_proxy"] == kustomize.UNREACHABLE_PROXY


# ---- Secrets never reach the judged plan


def test_secret_values_are_masked_in_the_plan_file(tmp_path: Path) -> None:
    value = secrets.token_hex(16)
    write(
        tmp_path / "m" / "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"
        f"data:\n  password: {value}\nstringData:\n  token: {value}\n",
    )
    out = tmp_path / "plan.json"
    main(["check", "--manifests", str(tmp_path / "m"), "--json", str(out)])
    text = out.read_text()
    assert value not in text
    [secret] = [r for r in json.loads(text)["resources"] if r["type"].endswith(":Secret")]
    assert secret["inputs"]["data"] == {"password": "[secret]"}
    assert secret["inputs"]["stringData"] == {"token": "[secret]"}


def test_ordinary_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    write(
        tmp_path / "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\n"
        "data:\n  base: &base {a: '1'}\n  copy:\n    <<: *base\n    b: '2'\n",
    )
    [resource] = load_manifests(tmp_path)
    assert resource["inputs"]["data"]["copy"] == {"a": "1", "b": "2"}


def test_inline_transformers_are_not_taken_for_paths(tmp_path: Path) -> None:
    write(
        tmp_path / "kustomization.yaml",
        "resources: [cm.yaml]\ntransformers:\n  - |-\n    apiVersion: builtin\n"
        "    kind: PrefixSuffixTransformer\n    metadata: {name: prefix}\n    prefix: p-\n"
        "    fieldSpecs: [{path: metadata/name}]\n",
    )
    write(tmp_path / "cm.yaml", config_map("settings"))
    assert [r["name"] for r in load_manifests(tmp_path)] == ["p-settings"]
