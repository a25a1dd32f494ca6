# The two commands a newcomer needs: `make demo` and `make test`. Each installs what it needs,
# once: the Debian packages (FluidSynth and three General MIDI SoundFonts) and a virtual
# environment `.venv` with the pinned development stack (constraints.txt).
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
APT_PKGS := fluidsynth fluid-soundfont-gm musescore-general-soundfont-small timgm6mb-soundfont
DATA ?= data
export PYTHONUNBUFFERED=1

.PHONY: demo test test-all bench apt venv sync readme clean pretrain

demo: apt venv
	$(BIN)/fastai-audio demo --data $(DATA)

test: apt venv
	tools/check_sync.sh
	$(BIN)/python tools/nbtest.py

# the slow cells too, and the GPU cells where a GPU is present
test-all: apt venv
	tools/check_sync.sh
	$(BIN)/python tools/nbtest.py --flags "slow $$($(BIN)/python -c 'import torch;print("cuda" if torch.cuda.is_available() else "")')"

bench: apt venv
	$(BIN)/python bench/spectrogram.py

apt:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || exit 1; \
	  else echo "missing Debian packages:$$missing -- run as root: apt-get install$$missing"; exit 1; fi; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: constraints.txt settings.ini setup.py
	@command -v uv >/dev/null || python3 -m pip install -q uv
	@[ -x $(BIN)/python ] || uv venv -q -p $(PY) $(VENV)
	VIRTUAL_ENV=$(VENV) uv pip install -q --compile-bytecode -c constraints.txt -e '.[dev]'
	@touch $@

# notebooks are the source: export the package, strip the notebooks, rebuild README.md
sync: venv
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	$(MAKE) readme

readme: venv
	$(BIN)/jupyter nbconvert --log-level WARN --to markdown nbs/index.ipynb --output-dir . --output README

clean:
	rm -rf _proc _docs build dist *.egg-info
