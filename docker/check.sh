#!/usr/bin/env bash
# Static checks of docker/ for CI, which has no Docker engine: Compose's own parser where a compose CLI is
# installed (it needs no engine), then docker/static_check.py (JSON, YAML, the Dockerfile's COPY sources, the
# compose file's mounts and ports, the dashboard's metric names) and that checker's own tests, then promtool: the
# Prometheus configuration with its rule files, and the alert rules' unit tests (docker/prometheus/tests/).
# Prints what it checked; exits 1 if anything failed. .ci/test runs it before the Maven build.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
failed=0
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the checkout

echo "docker/check.sh: static checks of docker/ (no Docker engine needed)"

if ! command -v python3 >/dev/null 2>&1; then
  echo "  FAIL  python3 is missing; install it (apt-get install python3 python3-yaml)"
  exit 1
fi

# Compose's own parser and schema. `docker compose config` reads the file without an engine.
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  if out=$(docker compose -f "$HERE/compose.yaml" config -q 2>&1); then
    echo "  ok    docker compose config -q ($(docker compose version --short 2>/dev/null))"
  else
    echo "  FAIL  docker compose -f docker/compose.yaml config -q"
    echo "$out" | sed 's/^/        /'
    failed=1
  fi
elif command -v docker-compose >/dev/null 2>&1; then
  # Compose 1.x validates against an older schema that predates the top-level `name:`; it checks the rest.
  copy=$(mktemp --suffix=.yaml)
  grep -v '^name:' "$HERE/compose.yaml" > "$copy"
  if out=$(docker-compose --project-directory "$HERE" -f "$copy" config -q 2>&1); then
    echo "  ok    docker-compose config -q ($(docker-compose version --short 2>/dev/null); the file less its name:, which 1.x predates)"
  else
    echo "  FAIL  docker-compose config -q on docker/compose.yaml"
    echo "$out" | sed 's/^/        /'
    failed=1
  fi
  rm -f "$copy"
else
  echo "  skip  compose config -q: no compose CLI here (the docker CLI has no compose plugin); the structural checks below still run"
fi

python3 "$HERE/static_check.py" "$ROOT" || failed=1

# Prometheus's own checker: the configuration (and the rule files it names) parse, and the alert rules' unit tests
# pass. No skip: .ci/run installs the Debian package prometheus, which carries promtool.
if ! command -v promtool >/dev/null 2>&1; then
  echo "  FAIL  promtool is missing; install it (apt-get install prometheus; .ci/run does)"
  failed=1
else
  version=$(promtool --version 2>&1 | sed -n '1s/^promtool, version \([^ ]*\).*/\1/p')
  if out=$(promtool check config "$HERE/prometheus/prometheus.yml" 2>&1); then
    echo "  ok    promtool check config docker/prometheus/prometheus.yml and its rule files (promtool $version)"
  else
    echo "  FAIL  promtool check config docker/prometheus/prometheus.yml"
    echo "$out" | sed 's/^/        /'
    failed=1
  fi
  if out=$(cd "$ROOT" && promtool test rules docker/prometheus/tests/*.test.yml 2>&1); then
    echo "  ok    promtool test rules docker/prometheus/tests/ ($(grep -c '^  - name:' "$HERE"/prometheus/tests/*.test.yml | awk -F: '{n += $NF} END {print n}') cases)"
  else
    echo "  FAIL  promtool test rules docker/prometheus/tests/*.test.yml"
    echo "$out" | sed 's/^/        /'
    failed=1
  fi
fi

# The checker's tests: each check passes on the checked-in files and fails on a copy with one mistake.
if out=$(cd "$ROOT" && python3 -m unittest discover -s docker/tests 2>&1); then
  echo "  ok    the checker's own tests ($(echo "$out" | grep -o 'Ran [0-9]* tests*' | head -1))"
else
  echo "  FAIL  the checker's own tests (python3 -m unittest discover -s docker/tests)"
  echo "$out" | sed 's/^/        /'
  failed=1
fi

if [ $failed -ne 0 ]; then
  echo "docker/check.sh: FAILED"
  exit 1
fi
echo "docker/check.sh: all checks passed"
