#!/usr/bin/env bash
# Idempotent set-up of qualpipe in ./.venv: the package, BERTopic (lean), and a
# Norwegian spaCy pipeline. Safe to run again; it only installs what is missing.
#   scripts/setup.sh          # what `qualpipe run` needs
#   scripts/setup.sh --test   # plus what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

# The dask extra (qualpipe run --workers N) always; the test extra with --test.
testing=""
[ "${1:-}" = "--test" ] && testing=yes
extras="[dask]"
[ -n "$testing" ] && extras="[test,dask]"
python=${PYTHON:-python3}

[ -x .venv/bin/python ] || "$python" -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }

pip install -e ".${extras}"
# The workbench's browser tests drive Debian's chromium through Playwright (Playwright's
# own browser download needs the internet): install it from apt when it is missing.
if [ -n "$testing" ] && [ ! -x "${QUALPIPE_CHROMIUM:-/usr/bin/chromium}" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: the browser tests need chromium; install it (or set QUALPIPE_CHROMIUM to its path)" >&2
    exit 1
  fi
  as_root=""
  [ "$(id -u)" -ne 0 ] && as_root="sudo"
  $as_root apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  echo "chromium: installed from apt for the browser tests"
fi
# BERTopic's default install pulls sentence-transformers and torch (gigabytes)
# that offline TF-IDF/SVD embeddings do not need. Its docs describe this
# light-weight install: the package without dependencies, plus the few light
# ones (numpy, pandas, scikit-learn, tqdm, plotly, pyyaml) that pyproject.toml lists.
.venv/bin/python -c "import bertopic" 2>/dev/null || pip install --no-deps "bertopic==0.17.4"

# Norwegian pipeline: the official nb_core_news_md/_sm where it can be
# downloaded; otherwise the offline NorNE-trained wheel (QUALPIPE_MODEL_WHEEL,
# or ../shared/models/). pipeline.nlp picks the best installed one.
has() { .venv/bin/python -c "import $1" 2>/dev/null; }
if has nb_core_news_md || has nb_core_news_sm; then
  echo "spaCy pipeline: official nb_core_news already installed"
elif timeout 300 .venv/bin/python -m spacy download nb_core_news_md >/dev/null 2>&1; then
  echo "spaCy pipeline: installed nb_core_news_md"
elif has nb_norne_sm; then
  echo "spaCy pipeline: nb_norne_sm (offline wheel) already installed"
else
  wheel="${QUALPIPE_MODEL_WHEEL:-}"
  if [ -z "$wheel" ]; then
    wheel=$(ls ../shared/models/nb_norne_sm-*.whl 2>/dev/null | sort | tail -n 1 || true)
  fi
  if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
    echo "error: could not download nb_core_news_md and found no offline model wheel;" \
         "set QUALPIPE_MODEL_WHEEL to a spaCy pipeline wheel" >&2
    exit 1
  fi
  pip install "$wheel"
  echo "spaCy pipeline: installed offline wheel $(basename "$wheel")"
fi
