#!/usr/bin/env python3
"""Static checks of docker/ that need no Docker engine (CI has none); docker/check.sh runs them.

Each check returns a list of problems, one line each, naming the file and what is wrong; main() prints what it
checked and exits 1 if any check found a problem. Usage: python3 docker/static_check.py [REPO_ROOT]
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # the YAML checks say they were skipped; the others still run
    yaml = None

# The Prometheus names of the meters the dashboard may show. Micrometer names them (penni.ended.jobs counter, base
# unit jobs -> penni_ended_jobs_total, penni.stage.duration timer -> penni_stage_duration_seconds_{count,sum,max,bucket});
# a name outside this list is a typo or a meter nobody registers, and its panel would stay empty.
# itests/penni-systemtests PrometheusScrapeTest checks every expression against a real Prometheus.
TIMER_SUFFIXES = ("", "_count", "_sum", "_max", "_bucket")
PENNI_METRICS = frozenset(
    ["penni_ended_jobs_total", "penni_training_images_total", "penni_model_sparsity_ratio",
     "penni_model_size_parameters", "penni_nd4j_offheap_used_bytes", "penni_nd4j_offheap_max_bytes",
     "penni_process_physical_bytes", "penni_process_physical_max_bytes"]
    # jobs over every container (the job table), failures by stage and kind, the last completed job
    + ["penni_active_jobs", "penni_job_failures_total", "penni_last_job_accuracy_change_ratio",
       "penni_last_job_conv_params_reduction_ratio", "penni_last_job_conv_macs_reduction_ratio"]
    # stages: what runs, when it last moved, what could not be read
    + ["penni_stage_running_tasks", "penni_stage_last_progress_seconds", "penni_stage_unreadable_tasks_total"]
    + ["penni_stage_duration_seconds" + s for s in TIMER_SUFFIXES if s]
    + ["penni_inference_latency_seconds" + s for s in TIMER_SUFFIXES]
    # serving (penni-serving): requests by outcome, latencies and batch sizes as histograms, queue depth
    + ["penni_inference_requests_total", "penni_inference_queue_depth_requests"]
    + ["penni_inference_request_latency_seconds" + s for s in TIMER_SUFFIXES]
    + ["penni_inference_compute_latency_seconds" + s for s in TIMER_SUFFIXES]
    + ["penni_inference_batch_size_images" + s for s in TIMER_SUFFIXES])
# Every meter the dashboard must show (a timer by any of its series).
REQUIRED_METRICS = ("penni_ended_jobs_total", "penni_stage_duration_seconds", "penni_training_images_total",
                    "penni_model_sparsity_ratio", "penni_model_size_parameters", "penni_inference_latency_seconds",
                    "penni_nd4j_offheap_used_bytes", "penni_nd4j_offheap_max_bytes", "penni_process_physical_bytes",
                    "jvm_memory_used_bytes", "process_cpu_usage", "penni_inference_requests_total",
                    "penni_inference_request_latency_seconds", "penni_inference_compute_latency_seconds",
                    "penni_inference_batch_size_images", "penni_inference_queue_depth_requests",
                    "penni_active_jobs", "penni_job_failures_total", "penni_last_job_accuracy_change_ratio",
                    "penni_stage_running_tasks", "kafka_consumer_fetch_manager_records_lag",
                    "kafka_consumer_connection_count")
METRIC_NAME = re.compile(r"\bpenni_[a-z0-9_]+")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def rel(path, root):
    """A path as messages show it: relative to the repository root."""
    return os.path.relpath(path, root)


def interpolate(text, environment=os.environ):
    """Compose's ${NAME} / ${NAME:-default}, from this process's environment by default."""
    return VARIABLE.sub(lambda m: environment.get(m.group(1)) or (m.group(2) or ""), str(text))


def check_json(root):
    problems = []
    for path in sorted(Path(root, "docker").rglob("*.json")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            problems.append(f"{rel(path, root)}: not valid JSON: {e}")
    return problems


def check_yaml(root):
    problems = []
    for path in sorted(p for p in Path(root, "docker").rglob("*") if p.suffix in (".yml", ".yaml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            problems.append(f"{rel(path, root)}: not valid YAML: {' '.join(str(e).split())}")
    return problems


def dockerfile_instructions(path):
    """(instruction, arguments) pairs, with line continuations joined and comments dropped."""
    logical, current = [], ""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    return [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in logical]


def copy_sources(arguments):
    """The flags and source paths of a COPY/ADD (shell or JSON form); the last path is the destination."""
    if arguments.lstrip().startswith("["):
        words = json.loads(arguments)
    else:
        words = shlex.split(arguments)
    flags = {w.split("=", 1)[0]: (w.split("=", 1) + [""])[1] for w in words if w.startswith("--")}
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1]


def dockerignore_patterns(root):
    path = Path(root, ".dockerignore")
    if not path.is_file():
        return []
    lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines()]
    return [l.strip("/") for l in lines if l and not l.startswith("#")]


def ignored(source, patterns):
    """Whether .dockerignore drops a source from the context (plain patterns on the path or a parent of it)."""
    if any(p.startswith("!") for p in patterns):
        return False  # exceptions need Docker's full matcher; better silent than wrong
    parts = Path(source.strip("/")).parts
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


def check_dockerfile(root):
    """Every COPY source exists in the context (the repository root) and survives .dockerignore; a COPY from the
    build stage names a module of the checkout; the final stage runs the launcher as a non-root user."""
    dockerfile = Path(root, "docker", "Dockerfile")
    name = rel(dockerfile, root)
    if not dockerfile.is_file():
        return [f"{name}: missing"]
    problems, patterns = [], dockerignore_patterns(root)
    stages, workdir, final = {}, "/", {}
    for instruction, arguments in dockerfile_instructions(dockerfile):
        if instruction == "FROM":
            words = arguments.split()
            stage = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            workdir, final = "/", {"stage": stage}
            if stage:
                stages[stage] = workdir
            continue
        if instruction == "WORKDIR":
            workdir = arguments.strip()
            if final.get("stage"):
                stages[final["stage"]] = workdir
        final[instruction] = arguments
        if instruction not in ("COPY", "ADD"):
            continue
        flags, sources = copy_sources(arguments)
        for source in sources:
            if "--from" in flags:
                problems += check_stage_source(root, name, flags["--from"], source, stages)
            elif source.startswith(("http://", "https://")):
                continue
            elif not glob.glob(os.path.join(root, source)):
                problems.append(f"{name}: COPY {source}: no such file or folder in the build context (repository root)")
            elif ignored(source, patterns):
                problems.append(f"{name}: COPY {source}: .dockerignore leaves it out of the build context")
    problems += check_final_stage(name, final)
    return problems


def check_stage_source(root, name, stage, source, stages):
    """A build output such as /src/distribution/target/penni/ comes from a module that must exist in the checkout."""
    if stage not in stages:
        if re.search(r"[:/]", stage):
            return []  # an image, not a stage of this file
        return [f"{name}: COPY --from={stage}: no build stage of that name"]
    workdir = stages[stage].rstrip("/") + "/"
    if not source.startswith(workdir):
        return []
    parts = Path(source[len(workdir):]).parts
    module = Path(*parts[:parts.index("target")]) if "target" in parts else Path(*parts)
    if not Path(root, module).exists():
        return [f"{name}: COPY --from={stage} {source}: {module} is not in the checkout"]
    if "target" in parts and not Path(root, module, "pom.xml").is_file():
        return [f"{name}: COPY --from={stage} {source}: {module} is not a Maven module (no pom.xml)"]
    return []


def check_final_stage(name, final):
    problems = []
    user = final.get("USER", "root").split(":")[0].strip()
    if user in ("root", "0"):
        problems.append(f"{name}: the final stage runs as root; add a USER")
    entrypoint = final.get("ENTRYPOINT", "").strip()
    if not entrypoint.startswith("["):
        problems.append(f"{name}: ENTRYPOINT must be in exec form (a JSON array) so that SIGTERM reaches the server")
    if "HEALTHCHECK" not in final:
        problems.append(f"{name}: the final stage has no HEALTHCHECK")
    volume = final.get("VOLUME", "").strip()
    volumes = json.loads(volume) if volume.startswith("[") else volume.split()
    for folder in ("var", "deploy"):
        if not any(v.rstrip("/").endswith("/" + folder) for v in volumes):
            problems.append(f"{name}: no VOLUME for the base folder's {folder}/")
    return problems


def volume_source(volume):
    """The source of a service volume in short ("src:dst[:mode]") or long syntax, or None for an anonymous one."""
    if isinstance(volume, dict):
        return volume.get("source")
    parts = interpolate(volume).split(":")
    return parts[0] if len(parts) > 1 else None


def check_compose(root):
    """Bind mounts, build files and named volumes exist; every port is bound to the host's loopback; the
    services the configs name are services of the stack; the Kafka image matches the clients' version."""
    path = Path(root, "docker", "compose.yaml")
    name = rel(path, root)
    try:
        compose = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        return [f"{name}: cannot read: {' '.join(str(e).split())}"], []
    services = compose.get("services") or {}
    declared = set((compose.get("volumes") or {}).keys())
    problems, notes = [], []
    for service, spec in services.items():
        build = spec.get("build")
        if build:
            context = Path(path.parent, interpolate(build.get("context", ".") if isinstance(build, dict) else build))
            dockerfile = context / interpolate(build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            if not context.is_dir():
                problems.append(f"{name}: {service}: build context {rel(context, root)} does not exist")
            if not dockerfile.is_file():
                problems.append(f"{name}: {service}: Dockerfile {rel(dockerfile, root)} does not exist")
        for volume in spec.get("volumes") or []:
            source = volume_source(volume)
            if source is None:
                continue
            if source.startswith((".", "~")):
                if not Path(path.parent, source).exists():
                    problems.append(f"{name}: {service}: mounts {source}, which does not exist (relative to docker/)")
            elif source.startswith("/"):
                notes.append(f"{service} mounts the host's {source} ({'present' if Path(source).exists() else 'absent'} here)")
            elif source not in declared:
                problems.append(f"{name}: {service}: volume {source} is not declared under the top-level volumes:")
        for port in spec.get("ports") or []:
            published = interpolate(port.get("host_ip", "") if isinstance(port, dict) else port)
            if not published.startswith("127.0.0.1:") and published != "127.0.0.1":
                problems.append(f"{name}: {service}: port {published} is not bound to 127.0.0.1 on the host")
        for dependency in spec.get("depends_on") or []:
            if dependency not in services:
                problems.append(f"{name}: {service}: depends on {dependency}, which is no service of this file")
    problems += check_service_references(root, services)
    problems += check_kafka_version(root, name, services)
    problems += check_replicas_share_an_object_store(root, name, services)
    return problems, notes


S3_CONFIG = "penni.artifacts.s3.cfg"


def check_replicas_share_an_object_store(root, name, services):
    """Several server replicas only work on one object store: each mounts the S3 store's configuration, whose
    endpoint is a service of the stack (with the file-system store, a stage could not read another replica's files)."""
    replicas = {service: spec for service, spec in services.items()
                if interpolate(spec.get("image", ""), environment={}).startswith("penni-server:")}
    if len(replicas) < 2:
        return []
    problems = []
    for service, spec in replicas.items():
        mounts = [interpolate(v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}")
                  for v in spec.get("volumes") or []]
        config = next((m.split(":")[0] for m in mounts if m.split(":")[1:2] == [f"/opt/penni/runtime-config/{S3_CONFIG}"]),
                      None)
        if config is None:
            problems.append(f"{name}: {service}: one of {len(replicas)} server replicas without {S3_CONFIG} mounted: "
                            "it would keep artifacts on its own disk, where the other replicas cannot read them")
            continue
        path = Path(root, "docker", config)
        if not path.is_file():
            continue  # the mount check reports it
        endpoint = re.search(r"^endpoint\s*=\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        host = re.sub(r"^\w+://", "", endpoint.group(1)).split(":")[0].split("/")[0] if endpoint else ""
        if host not in services:
            problems.append(f"{rel(path, root)}: endpoint host '{host}' is no service of docker/compose.yaml")
    return problems


def check_service_references(root, services):
    """Prometheus scrapes, and Grafana's datasource points at, services of the stack."""
    problems = []
    for config in sorted(Path(root, "docker", "prometheus").glob("*.y*ml")):
        for job in (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("scrape_configs") or []:
            for static in job.get("static_configs") or []:
                for target in static.get("targets") or []:
                    if target.split(":")[0] not in services:
                        problems.append(f"{rel(config, root)}: target {target} is no service of docker/compose.yaml")
    for config in sorted(Path(root, "docker", "grafana", "provisioning", "datasources").glob("*.y*ml")):
        for source in (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("datasources") or []:
            host = re.sub(r"^\w+://", "", source.get("url", "")).split(":")[0].split("/")[0]
            if host not in services:
                problems.append(f"{rel(config, root)}: datasource {source.get('name')} points at {host}, "
                                "which is no service of docker/compose.yaml")
    return problems


def check_kafka_version(root, name, services):
    # the file's own default, whatever KAFKA_VERSION this shell happens to set
    image = interpolate((services.get("kafka") or {}).get("image", ""), environment={})
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", Path(root, "pom.xml").read_text(encoding="utf-8"))
    if match and image and not image.endswith(":" + match.group(1)):
        return [f"{name}: kafka runs {image} but the clients are Kafka {match.group(1)} (pom.xml kafka.version)"]
    return []


def dashboard_expressions(node):
    """Every PromQL expression in a dashboard (the expr of every target, panels nested in rows included)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from dashboard_expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from dashboard_expressions(item)


def check_dashboards(root):
    """Every penni_* metric a dashboard queries is a known meter, every required meter is shown, and every panel
    uses a provisioned datasource."""
    problems = []
    uids = set()
    for config in Path(root, "docker", "grafana", "provisioning", "datasources").glob("*.y*ml"):
        if yaml is not None:
            uids |= {d.get("uid") for d in (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("datasources") or []}
    dashboards = sorted(Path(root, "docker", "grafana", "dashboards").glob("*.json"))
    if not dashboards:
        return ["docker/grafana/dashboards: no dashboard"]
    for path in dashboards:
        try:
            dashboard = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # check_json reports it
        expressions = list(dashboard_expressions(dashboard))
        used = {m for e in expressions for m in METRIC_NAME.findall(e)}
        for metric in sorted(used - PENNI_METRICS):
            problems.append(f"{rel(path, root)}: queries {metric}, which is not one of the known PENNI meters")
        text = "\n".join(expressions)
        for metric in REQUIRED_METRICS:
            if not re.search(r"\b" + metric + r"(_count|_sum|_max|_bucket)?\b", text):
                problems.append(f"{rel(path, root)}: no panel shows {metric}")
        if uids:
            for uid in sorted({d.get("uid") for d in datasources(dashboard)} - uids):
                problems.append(f"{rel(path, root)}: uses datasource uid {uid}, which is not provisioned")
    return problems


def datasources(node):
    """Every datasource reference (a dict with a uid) in a dashboard."""
    if isinstance(node, dict):
        if isinstance(node.get("datasource"), dict):
            yield node["datasource"]
        for value in node.values():
            yield from datasources(value)
    elif isinstance(node, list):
        for item in node:
            yield from datasources(item)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    failed = False

    def report(what, problems):
        nonlocal failed
        print(("  ok    " if not problems else "  FAIL  ") + what)
        for problem in problems:
            print("        " + problem)
        failed |= bool(problems)

    report("JSON files under docker/ parse", check_json(root))
    report("docker/Dockerfile: COPY sources exist and are in the context; non-root user, exec-form ENTRYPOINT, "
           "HEALTHCHECK, volumes", check_dockerfile(root))
    report("docker/grafana/dashboards: penni_* metrics are known meters; every required meter has a panel",
           check_dashboards(root))
    if yaml is None:
        print("  skip  YAML files and docker/compose.yaml structure: PyYAML is not installed (pip install pyyaml)")
    else:
        report("YAML files under docker/ parse", check_yaml(root))
        problems, notes = check_compose(root)
        report("docker/compose.yaml: mounted files, build files and volumes exist; ports on 127.0.0.1; "
               "services referenced by Prometheus and Grafana exist; Kafka image matches kafka.version; "
               "server replicas share the object store", problems)
        for note in notes:
            print("        note: " + note)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
