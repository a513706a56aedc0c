#!/usr/bin/env python3
"""Consistency checks for cluster/ that no schema can make: what the files say to each other.

Run by scripts/check_cluster.sh (with the tools venv's Python, which has PyYAML):

    validate.py dockerfile cluster/Dockerfile          COPY sources exist and pass the ignore file;
                                                       the Swift image matches the local toolchain
    validate.py runtime-libs cluster/Dockerfile BIN    every library BIN links against comes from a
                                                       package the runtime stage installs
    validate.py compose CONFIG.json                    the workers reach the coordinator's port, the
                                                       token and data paths are mounted
    validate.py k8s RENDERED.yaml                      the same for a `kubectl kustomize` output, plus
                                                       Services, probes and Secrets that match up
    validate.py run-lines cluster/Dockerfile STAGE     prints the stage's RUN commands, one a line
                                                       (for cluster/runtime-chroot.sh)

Each prints one line on success and exits 1 with every problem listed otherwise.
"""

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys

problems = []


def problem(message):
    problems.append(message)


def finish(summary):
    if problems:
        for message in problems:
            print(f"  {message}", file=sys.stderr)
        sys.exit(1)
    print(summary)


# --- Dockerfile ------------------------------------------------------------------------------------


def dockerfile_instructions(path):
    """(instruction, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    with open(path) as file:
        for line in file:
            stripped = line.strip()
            if stripped.startswith("#") and not current.strip():
                continue
            if stripped.startswith("#"):
                continue  # a comment inside a continued instruction
            if stripped.endswith("\\"):
                current += stripped[:-1] + " "
                continue
            current += stripped
            if current.strip():
                keyword, _, rest = current.strip().partition(" ")
                instructions.append((keyword.upper(), rest.strip()))
            current = ""
    return instructions


def dockerfile_stages(path):
    """Global ARG defaults and the stages: name -> {"from": image, "instructions": [...]}."""
    args, stages, stage = {}, {}, None
    for keyword, rest in dockerfile_instructions(path):
        if keyword == "ARG" and stage is None:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else f"stage{len(stages)}"
            stage = {"from": image, "instructions": []}
            stages[name] = stage
        elif stage is not None:
            stage["instructions"].append((keyword, rest))
    return args, stages


def ignored(path, patterns):
    """Whether Docker's ignore rules (last match wins, ! re-includes) leave `path` out."""
    result = False
    parts = path.strip("/").split("/")
    for negate, pattern in patterns:
        # A pattern matches the path or any folder above it.
        for depth in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:depth]), pattern):
                result = not negate
                break
    return result


def check_dockerfile(dockerfile):
    root = os.path.dirname(os.path.dirname(os.path.abspath(dockerfile)))
    ignore_file = dockerfile + ".dockerignore"
    patterns = []
    if os.path.exists(ignore_file):
        for line in open(ignore_file):
            line = line.strip()
            if line and not line.startswith("#"):
                negate = line.startswith("!")
                patterns.append((negate, line.lstrip("!").strip("/")))
    else:
        problem(f"{ignore_file} is missing: the whole repository (.build/ included) would be sent")

    args, stages = dockerfile_stages(dockerfile)
    copies = 0
    for name, stage in stages.items():
        for keyword, rest in stage["instructions"]:
            if keyword not in ("COPY", "ADD"):
                continue
            words = shlex.split(rest)
            if any(word.startswith("--from") for word in words):
                continue
            sources = [word for word in words if not word.startswith("--")][:-1]
            for source in sources:
                copies += 1
                if not os.path.exists(os.path.join(root, source)):
                    problem(f"stage {name}: COPY {source}: no such file in the repository")
                elif ignored(source, patterns):
                    problem(f"stage {name}: COPY {source}: excluded by {os.path.basename(ignore_file)}")

    for target in ("build", "runtime", "gpu", "cpu"):
        if target not in stages:
            problem(f"no stage named {target}")
    if stages and list(stages)[-1] != "cpu":
        problem("the last stage (the default target) is not the CPU image")

    swift_image = stages.get("build", {}).get("from", "")
    match = re.fullmatch(r"swift:(\d+\.\d+(?:\.\d+)?)-bookworm", swift_image)
    if not match:
        problem(f"the build stage is {swift_image!r}, not a swift:X.Y.Z-bookworm image")
    else:
        try:
            version_text = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout
        except FileNotFoundError:
            version_text = ""
        local = re.search(r"Swift version (\d+\.\d+(?:\.\d+)?)", version_text)
        if local and local.group(1) != match.group(1):
            problem(f"the image builds with Swift {match.group(1)}, this machine has {local.group(1)}: "
                    f"update SWIFT_IMAGE in {dockerfile}")
    if "bookworm" not in stages.get("runtime", {}).get("from", ""):
        problem("the runtime stage is not Debian bookworm, where the binary is built")
    finish(f"{len(stages)} stages, {copies} COPY sources present and not ignored, Swift image {swift_image}")


# --- runtime libraries -----------------------------------------------------------------------------

# In debian:bookworm-slim already (priority required), so the runtime stage need not name them.
BASE_PACKAGES = {"libc6", "libgcc-s1"}
# Loaded with dlopen by libglvnd, so no binary names them: the CPU renderer needs them all the same.
DLOPENED = {"libegl-mesa0": "Mesa's EGL vendor library", "libgl1-mesa-dri": "the llvmpipe driver"}


def apt_packages(stage):
    packages = set()
    for keyword, rest in stage["instructions"]:
        if keyword != "RUN" or "apt-get install" not in rest:
            continue
        for command in rest.split("&&"):
            words = command.split()
            if "install" in words and "apt-get" in words:
                after = words[words.index("install") + 1:]
                packages.update(word.split("=")[0] for word in after if not word.startswith("-"))
    return packages


def owning_package(path):
    candidates = [path, os.path.realpath(path)]
    candidates += ["/usr" + c for c in list(candidates) if not c.startswith("/usr/")]
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    return None


def check_runtime_libs(dockerfile, binary):
    _, stages = dockerfile_stages(dockerfile)
    installed = apt_packages(stages["runtime"])
    elf = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True)
    if elf.returncode != 0:
        problem(f"readelf -d {binary} failed: {elf.stderr.strip()}")
        finish("")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", elf.stdout)
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", subprocess.run(["ldd", binary], capture_output=True,
                                                                    text=True).stdout, re.M))
    checked = 0
    for library in needed:
        if library.startswith("ld-linux"):
            continue  # the dynamic loader, part of libc6
        path = paths.get(library)
        if path is None or path == "not":
            problem(f"{library}: not found on this machine (ldd {binary})")
            continue
        if "/swift/" in path:
            continue  # the Swift runtime: linked in statically in the image (--static-swift-stdlib)
        package = owning_package(path)
        checked += 1
        if package is None:
            problem(f"{library} ({path}) belongs to no Debian package here: the image cannot install it")
        elif package not in installed and package not in BASE_PACKAGES:
            problem(f"{os.path.basename(binary)} links {library}, from the package {package}, "
                    f"which the runtime stage does not install")
    for package, what in DLOPENED.items():
        if package not in installed:
            problem(f"the runtime stage does not install {package} ({what})")
    finish(f"runtime stage: all {checked} C libraries {binary} links against are installed")


# --- arguments -------------------------------------------------------------------------------------


def option(arguments, name):
    """The value of --name in a command's arguments (`--name value` or `--name=value`)."""
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(name + "="):
            return argument[len(name) + 1:]
    return None


def host_port(value, where):
    if value is None or ":" not in value:
        problem(f"{where}: expected HOST:PORT, got {value!r}")
        return None, None
    host, _, port = value.rpartition(":")
    return host, int(port)


# --- Compose ---------------------------------------------------------------------------------------


def check_compose(config_json):
    config = json.load(open(config_json))
    services = config.get("services", {})
    for name in ("coordinator", "worker"):
        if name not in services:
            problem(f"no service {name}")
    if problems:
        finish("")
    coordinator, worker = services["coordinator"], services["worker"]

    def command(service):
        value = service.get("command") or []
        return shlex.split(value) if isinstance(value, str) else value

    coordinator_args, worker_args = command(coordinator), command(worker)
    if not coordinator_args or coordinator_args[0] != "coordinator":
        problem(f"the coordinator service does not run `scenefarm coordinator`: {coordinator_args}")
    if not worker_args or worker_args[0] != "worker":
        problem(f"the worker service does not run `scenefarm worker`: {worker_args}")
    _, listen_port = host_port(option(coordinator_args, "--listen"), "coordinator --listen")
    host, port = host_port(option(worker_args, "--connect"), "worker --connect")
    if host is not None and host not in services:
        problem(f"worker --connect {host}:{port}: {host} is no service of this file")
    if port is not None and port != listen_port:
        problem(f"worker --connect port {port}, but the coordinator listens on {listen_port}")
    if "coordinator" not in (worker.get("depends_on") or {}):
        problem("the worker does not depend on the coordinator")

    def secret_paths(service):
        return {secret.get("target") or f"/run/secrets/{secret['source']}" for secret in service.get("secrets", [])}

    for name, args in (("coordinator", coordinator_args), ("worker", worker_args)):
        token = option(args, "--token-file")
        if token not in secret_paths(services[name]):
            problem(f"{name}: --token-file {token} is not where a secret is mounted "
                    f"({sorted(secret_paths(services[name]))})")
    health = (coordinator.get("healthcheck") or {}).get("test") or []
    if option(health, "--token-file") not in secret_paths(coordinator):
        problem("the coordinator's healthcheck reads a token file that is not mounted")
    data = option(coordinator_args, "--data")
    targets = {volume.get("target") for volume in coordinator.get("volumes", [])}
    if data not in targets:
        problem(f"coordinator --data {data} is not a mounted volume ({sorted(t for t in targets if t)})")
    for secret in config.get("secrets", {}).values():
        if not secret.get("file"):
            problem("a secret without a file")
    replicas = (worker.get("deploy") or {}).get("replicas")
    finish(f"workers (replicas: {replicas}) reach the coordinator on :{listen_port}, token and data mounted")


# --- Kubernetes ------------------------------------------------------------------------------------


def check_k8s(rendered):
    import yaml  # PyYAML: in the tools venv (kubernetes-validate needs it); only this check uses it

    documents = [d for d in yaml.safe_load_all(open(rendered)) if d]
    by_kind = {}
    for document in documents:
        by_kind.setdefault(document["kind"], {})[document["metadata"]["name"]] = document
    services = by_kind.get("Service", {})
    secrets = by_kind.get("Secret", {})
    statefulsets = by_kind.get("StatefulSet", {})
    deployments = by_kind.get("Deployment", {})
    if len(statefulsets) != 1 or len(deployments) != 1:
        problem(f"expected one StatefulSet and one Deployment, got {list(statefulsets)} and {list(deployments)}")
        finish("")
    coordinator = next(iter(statefulsets.values()))
    worker = next(iter(deployments.values()))

    def container(workload):
        return workload["spec"]["template"]["spec"]["containers"][0]

    def port_number(c, port):
        if isinstance(port, int):
            return port
        for entry in c.get("ports", []):
            if entry.get("name") == port:
                return entry["containerPort"]
        problem(f"container {c['name']}: no port named {port}")
        return None

    def selects(service, workload):
        labels = workload["spec"]["template"]["metadata"].get("labels", {})
        selector = service["spec"].get("selector", {})
        return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

    def mounted_secret_file(workload, path):
        """Checks that `path` is a file of a mounted Secret volume that exists."""
        spec = workload["spec"]["template"]["spec"]
        c = container(workload)
        directory, key = os.path.dirname(path), os.path.basename(path)
        for mount in c.get("volumeMounts", []):
            if mount["mountPath"].rstrip("/") != directory:
                continue
            volume = next((v for v in spec.get("volumes", []) if v["name"] == mount["name"]), None)
            if volume is None or "secret" not in volume:
                problem(f"{c['name']}: {directory} is not a Secret volume")
                return
            name = volume["secret"]["secretName"]
            if name not in secrets:
                problem(f"{c['name']}: Secret {name} is not among the manifests")
            elif key not in (secrets[name].get("data") or {}) and key not in (secrets[name].get("stringData") or {}):
                problem(f"{c['name']}: Secret {name} has no key {key}")
            return
        problem(f"{c['name']}: --token-file {path}: nothing is mounted at {directory}")

    coordinator_c, worker_c = container(coordinator), container(worker)
    coordinator_args, worker_args = coordinator_c.get("args", []), worker_c.get("args", [])
    _, listen_port = host_port(option(coordinator_args, "--listen"), "coordinator --listen")
    _, http_port = host_port(option(coordinator_args, "--http"), "coordinator --http")
    if port_number(coordinator_c, "farm") != listen_port:
        problem(f"coordinator: containerPort farm is not the --listen port {listen_port}")
    for probe_name in ("readinessProbe", "livenessProbe"):
        probe = coordinator_c.get(probe_name, {}).get("httpGet")
        if not probe:
            problem(f"coordinator: no HTTP {probe_name}")
        elif port_number(coordinator_c, probe["port"]) != http_port or probe.get("path") != "/healthz":
            problem(f"coordinator: {probe_name} is not GET /healthz on the --http port {http_port}")

    governing = services.get(coordinator["spec"].get("serviceName"))
    if governing is None or governing["spec"].get("clusterIP") != "None":
        problem(f"StatefulSet serviceName {coordinator['spec'].get('serviceName')} is not a headless Service")
    if coordinator["spec"].get("replicas") != 1:
        problem("the coordinator must have exactly 1 replica")

    host, port = host_port(option(worker_args, "--connect"), "worker --connect")
    service = services.get((host or "").split(".")[0])
    if service is None:
        problem(f"worker --connect {host}:{port}: no Service named {host}")
    else:
        if not selects(service, coordinator):
            problem(f"Service {service['metadata']['name']} does not select the coordinator's pods")
        entry = next((p for p in service["spec"].get("ports", []) if p["port"] == port), None)
        if entry is None:
            problem(f"Service {service['metadata']['name']} has no port {port}")
        elif port_number(coordinator_c, entry.get("targetPort", port)) != listen_port:
            problem(f"Service {service['metadata']['name']} port {port} does not reach the coordinator's "
                    f"--listen port {listen_port}")

    # The coordinator waits up to --drain-seconds (default 60) for in-flight frames on SIGTERM; both
    # pods need longer than that before the kubelet's SIGKILL.
    drain_seconds = float(option(coordinator_args, "--drain-seconds") or 60)
    for workload, args in ((coordinator, coordinator_args), (worker, worker_args)):
        mounted_secret_file(workload, option(args, "--token-file"))
        spec = workload["spec"]["template"]["spec"]
        if spec.get("terminationGracePeriodSeconds", 30) <= drain_seconds:
            problem(f"{workload['metadata']['name']}: terminationGracePeriodSeconds is not above the "
                    f"coordinator's --drain-seconds ({drain_seconds:g})")

    data = option(coordinator_args, "--data")
    claims = {t["metadata"]["name"] for t in coordinator["spec"].get("volumeClaimTemplates", [])}
    if not any(m["mountPath"] == data and m["name"] in claims for m in coordinator_c.get("volumeMounts", [])):
        problem(f"coordinator --data {data} is not a volumeClaimTemplate mount")
    finish(f"worker -> Service -> coordinator :{listen_port}, probes on "
           f":{http_port}/healthz, token Secret mounted in both")


def print_run_lines(dockerfile, stage):
    for keyword, rest in dockerfile_stages(dockerfile)[1][stage]["instructions"]:
        if keyword == "RUN":
            print(rest)


if __name__ == "__main__":
    commands = {"dockerfile": check_dockerfile, "runtime-libs": check_runtime_libs,
                "compose": check_compose, "k8s": check_k8s, "run-lines": print_run_lines}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(commands)} ARGS...")
    commands[sys.argv[1]](*sys.argv[2:])
