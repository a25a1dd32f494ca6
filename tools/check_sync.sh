#!/usr/bin/env bash
# Fails when a notebook is not a valid notebook file or carries outputs (tools/check_nbs.py), or when the notebooks
# are not clean or the package is out of sync with them: runs nbdev_clean and nbdev_export and checks that neither
# changed a file.
set -euo pipefail
V=${VENV:-.venv}
"$V/bin/python" tools/check_nbs.py
snap() { find nbs fastai_audio_nb -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha1sum; }
before=$(snap)
"$V/bin/nbdev_clean" >/dev/null
"$V/bin/nbdev_export" >/dev/null
after=$(snap)
if [ "$before" != "$after" ]; then
  echo "OUT OF SYNC: nbdev_clean/nbdev_export changed these files (now fixed in the working tree; commit them):"
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print "   ", $3}' | sort -u
  exit 1
fi
tmp=$(mktemp -d)
"$V/bin/jupyter" nbconvert --log-level WARN --to markdown nbs/index.ipynb --output-dir "$tmp" --output README
if ! cmp -s "$tmp/README.md" README.md; then
  echo "OUT OF SYNC: README.md is not what nbs/index.ipynb makes: run 'make readme' and commit README.md"; rm -rf "$tmp"; exit 1
fi
rm -rf "$tmp"
echo "notebooks clean, package and README.md in sync with the notebooks"
