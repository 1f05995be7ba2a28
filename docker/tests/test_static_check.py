"""Each check of docker/static_check.py passes on the checked-in files and fails on a copy with one mistake.

Run: python3 -m unittest discover -s docker/tests (docker/check.sh does).
"""
import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "docker"))
import static_check  # noqa: E402  (found through the path set above)

try:
    import yaml  # noqa: F401
    HAVE_YAML = True
except ImportError:
    HAVE_YAML = False


class StaticCheckTest(unittest.TestCase):

    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="penni-docker-check-"))
        self.addCleanup(shutil.rmtree, self.root)
        shutil.copytree(REPO / "docker", self.root / "docker", ignore=shutil.ignore_patterns("__pycache__"))
        for folder in ("bin", "runtime-config"):
            shutil.copytree(REPO / folder, self.root / folder)
        for file in ("pom.xml", ".dockerignore", "distribution/pom.xml"):
            (self.root / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / file, self.root / file)

    def edit(self, name, old, new):
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        self.assertIn(old, text, f"the test's edit of {name} no longer applies")
        path.write_text(text.replace(old, new), encoding="utf-8")

    def edit_dashboard(self, change):
        path = self.root / "docker/grafana/dashboards/penni.json"
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        change(dashboard)
        path.write_text(json.dumps(dashboard), encoding="utf-8")

    def assertReported(self, problems, fragment):
        self.assertTrue(any(fragment in p for p in problems), f"no problem mentions '{fragment}': {problems}")

    def compose_problems(self):
        return static_check.check_compose(str(self.root))[0]

    def test_the_checked_in_files_pass_every_check(self):
        root = str(self.root)
        self.assertEqual([], static_check.check_json(root))
        self.assertEqual([], static_check.check_dockerfile(root))
        self.assertEqual([], static_check.check_dashboards(root))
        if HAVE_YAML:
            self.assertEqual([], static_check.check_yaml(root))
            self.assertEqual([], self.compose_problems())

    def test_invalid_json_is_reported(self):
        (self.root / "docker/grafana/dashboards/penni.json").write_text('{"panels": [', encoding="utf-8")
        self.assertReported(static_check.check_json(str(self.root)), "penni.json: not valid JSON")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_invalid_yaml_is_reported(self):
        (self.root / "docker/prometheus/prometheus.yml").write_text("scrape_configs: [\n", encoding="utf-8")
        self.assertReported(static_check.check_yaml(str(self.root)), "prometheus.yml: not valid YAML")

    def test_a_copy_of_a_missing_source_is_reported(self):
        shutil.rmtree(self.root / "runtime-config")
        self.assertReported(static_check.check_dockerfile(str(self.root)), "COPY runtime-config/: no such file")

    def test_a_copy_of_a_source_dockerignore_drops_is_reported(self):
        with open(self.root / ".dockerignore", "a", encoding="utf-8") as f:
            f.write("bin/\n")
        self.assertReported(static_check.check_dockerfile(str(self.root)), "COPY bin/: .dockerignore leaves it out")

    def test_a_copy_from_the_build_of_a_missing_module_is_reported(self):
        shutil.rmtree(self.root / "distribution")
        self.assertReported(static_check.check_dockerfile(str(self.root)), "distribution is not in the checkout")

    def test_a_final_stage_running_as_root_is_reported(self):
        self.edit("docker/Dockerfile", "\nUSER penni\n", "\n")
        self.assertReported(static_check.check_dockerfile(str(self.root)), "runs as root")

    def test_a_shell_form_entrypoint_is_reported(self):
        self.edit("docker/Dockerfile", 'ENTRYPOINT ["/bin/sh", "-c", ', 'ENTRYPOINT /bin/sh -c ')
        self.assertReported(static_check.check_dockerfile(str(self.root)), "ENTRYPOINT must be in exec form")

    def test_a_penni_metric_outside_the_known_meters_is_reported(self):
        def rename(dashboard):
            target = next(p for p in dashboard["panels"] if "targets" in p)["targets"][0]
            target["expr"] = target["expr"].replace("penni_ended_jobs_total", "penni_ended_jobs_count")
        self.edit_dashboard(rename)
        self.assertReported(static_check.check_dashboards(str(self.root)), "queries penni_ended_jobs_count")

    def test_a_required_meter_without_a_panel_is_reported(self):
        def drop_cpu(dashboard):
            dashboard["panels"] = [p for p in dashboard["panels"]
                                   if "process_cpu_usage" not in json.dumps(p.get("targets", []))]
        self.edit_dashboard(drop_cpu)
        self.assertReported(static_check.check_dashboards(str(self.root)), "no panel shows process_cpu_usage")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_datasource_that_is_not_provisioned_is_reported(self):
        self.edit("docker/grafana/provisioning/datasources/prometheus.yaml", "uid: penni-prometheus", "uid: other")
        self.assertReported(static_check.check_dashboards(str(self.root)), "uid penni-prometheus, which is not provisioned")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_missing_bind_mount_is_reported(self):
        shutil.rmtree(self.root / "docker/grafana/provisioning/dashboards")
        self.assertReported(self.compose_problems(), "mounts ./grafana/provisioning/dashboards, which does not exist")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_port_on_every_host_interface_is_reported(self):
        self.edit("docker/compose.yaml", '"127.0.0.1:${GRAFANA_PORT:-3000}:3000"', '"3000:3000"')
        self.assertReported(self.compose_problems(), "port 3000:3000 is not bound to 127.0.0.1")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_an_undeclared_named_volume_is_reported(self):
        self.edit("docker/compose.yaml", "  penni-deploy:\n", "")
        self.assertReported(self.compose_problems(), "volume penni-deploy is not declared")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_scrape_target_outside_the_stack_is_reported(self):
        self.edit("docker/prometheus/prometheus.yml", '"penni:8181"', '"server:8181"')
        self.assertReported(self.compose_problems(), "target server:8181 is no service")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_kafka_image_other_than_the_clients_version_is_reported(self):
        self.edit("docker/compose.yaml", "apache/kafka:${KAFKA_VERSION:-4.3.1}", "apache/kafka:3.9.0")
        self.assertReported(self.compose_problems(), "kafka runs apache/kafka:3.9.0 but the clients are Kafka")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_a_second_replica_without_the_object_store_is_reported(self):
        self.edit("docker/compose.yaml", "      - penni-2-var:/opt/penni/var\n      - penni-deploy:/opt/penni/deploy\n"
                  "      - ./s3/penni.artifacts.s3.cfg:/opt/penni/runtime-config/penni.artifacts.s3.cfg:ro\n",
                  "      - penni-2-var:/opt/penni/var\n      - penni-deploy:/opt/penni/deploy\n")
        self.assertReported(self.compose_problems(), "penni-2: one of 2 server replicas without penni.artifacts.s3.cfg")

    @unittest.skipUnless(HAVE_YAML, "PyYAML is not installed")
    def test_an_object_store_endpoint_outside_the_stack_is_reported(self):
        self.edit("docker/s3/penni.artifacts.s3.cfg", "endpoint=http://minio:9000", "endpoint=http://s3:9000")
        self.assertReported(self.compose_problems(), "endpoint host 's3' is no service")


if __name__ == "__main__":
    unittest.main()
