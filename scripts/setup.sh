#!/usr/bin/env bash
# Idempotent set-up of qualpipe in ./.venv: the package, BERTopic (lean), and a
# Norwegian spaCy pipeline. Safe to run again; it only installs what is missing.
#   scripts/setup.sh          # what `qualpipe run` needs
#   scripts/setup.sh --test   # plus what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

# The dask extra (qualpipe run --workers N) and the vectors extra (coding.model.vector_weight)
# always; the test extra with --test.
testing=""
[ "${1:-}" = "--test" ] && testing=yes
extras="[dask,vectors]"
[ -n "$testing" ] && extras="[test,dask,vectors]"
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
# downloaded; otherwise the newest offline NorNE-trained wheel (the one named by
# QUALPIPE_MODEL_WHEEL, else the newest nb_norne_sm-*.whl in QUALPIPE_MODEL_DIRS).
# An installed older offline wheel is upgraded; pipeline.nlp picks the best
# installed pipeline, and the last line says which one qualpipe will use.
has() { .venv/bin/python -c "import $1" 2>/dev/null; }
offline_version() {
  .venv/bin/python -c "from importlib.metadata import version; print(version('nb_norne_sm'))" 2>/dev/null || true
}
wheel_version() { basename "$1" | sed -E 's/^nb_norne_sm-([^-]+)-.*$/\1/'; }
newest_wheel() {
  local dir
  for dir in ${QUALPIPE_MODEL_DIRS:-../shared/models}; do
    ls "$dir"/nb_norne_sm-*.whl 2>/dev/null || true
  done | while read -r w; do echo "$(wheel_version "$w") $w"; done | sort -V | tail -n 1 | cut -d' ' -f2-
}
if has nb_core_news_md || has nb_core_news_sm; then
  echo "spaCy pipeline: official nb_core_news already installed"
elif timeout 300 .venv/bin/python -m spacy download nb_core_news_md >/dev/null 2>&1; then
  echo "spaCy pipeline: installed nb_core_news_md"
else
  wheel="${QUALPIPE_MODEL_WHEEL:-$(newest_wheel)}"
  have=$(offline_version)
  if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
    if [ -z "$have" ]; then
      echo "error: could not download nb_core_news_md and found no offline model wheel" \
           "(looked in ${QUALPIPE_MODEL_DIRS:-../shared/models});" \
           "set QUALPIPE_MODEL_WHEEL to a spaCy pipeline wheel" >&2
      exit 1
    fi
    echo "spaCy pipeline: nb_norne_sm $have (offline wheel) already installed; no wheel found to compare"
  else
    want=$(wheel_version "$wheel")
    newest=$(printf '%s\n%s\n' "$have" "$want" | sed '/^$/d' | sort -V | tail -n 1)
    if [ "$have" = "$want" ]; then
      echo "spaCy pipeline: nb_norne_sm $have (offline wheel) already installed, the newest found"
    elif [ -n "${QUALPIPE_MODEL_WHEEL:-}" ] || [ -z "$have" ] || [ "$newest" = "$want" ]; then
      # The wheel's only dependency is spaCy, which the package already installed.
      pip install --no-deps --force-reinstall "$wheel"
      echo "spaCy pipeline: installed offline wheel $(basename "$wheel")${have:+ (replacing $have)}"
    else
      echo "spaCy pipeline: keeping nb_norne_sm $have (offline wheel), newer than $(basename "$wheel")"
    fi
  fi
fi
.venv/bin/python -c "from pipeline.nlp import describe_pipeline; print('qualpipe uses:', describe_pipeline())"
