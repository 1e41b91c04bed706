#!/usr/bin/env bash
# Installs memfeed (first run only) and starts it on embedded defaults: API, worker, Flower.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/infra/bootstrap.sh"
cd "$ROOT"
exec "${MEMFEED_VENV:-$ROOT/.venv}/bin/memfeed" up "$@"
