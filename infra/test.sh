#!/usr/bin/env bash
# Installs memfeed with its test tools (and, as root on Debian, chromium for the browser test) and
# runs the test suite against a real Redis
# (127.0.0.1:6379, database 13, or MEMFEED_TEST_REDIS_URL; a throwaway redis-server if none runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/infra/bootstrap.sh" test
VENV="${MEMFEED_VENV:-$ROOT/.venv}"
cd "$ROOT"

private_redis=""
cleanup() { [ -n "$private_redis" ] && kill "$private_redis" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "${MEMFEED_TEST_REDIS_URL:-}" ] && ! "$VENV/bin/python" -c "import redis,sys; redis.Redis(socket_connect_timeout=1).ping()" 2>/dev/null; then
    command -v redis-server >/dev/null || { echo "the tests need Redis: install redis-server or set MEMFEED_TEST_REDIS_URL" >&2; exit 2; }
    redis_dir="$(mktemp -d)"
    redis-server --port 6398 --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" --daemonize no >/dev/null &
    private_redis=$!
    export MEMFEED_TEST_REDIS_URL="redis://127.0.0.1:6398/13"
    for _ in $(seq 50); do "$VENV/bin/python" -c "import redis; redis.Redis(port=6398).ping()" 2>/dev/null && break; sleep 0.1; done
fi
# The browser tests (/docs, /redoc, the console) drive Debian's chromium (playwright downloads no browser).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "note: no /usr/bin/chromium, so the browser tests are skipped: sudo apt-get install chromium" >&2
    fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Each test process (and each stack it starts) embeds with one BLAS thread: several processes that
# each spin a thread per core slow one another down several times over.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# Modules spread over workers whole; the ones that kill processes or keep deadlines share two
# workers of their own (tests/conftest.py). MEMFEED_TEST_WORKERS=0 runs everything in one process.
"$VENV/bin/python" -m pytest -n "${MEMFEED_TEST_WORKERS:-3}" --dist loadgroup "$@"
