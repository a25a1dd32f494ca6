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
# uv, when missing: pip, or a user install where the system Python refuses packages (PEP 668: Debian 12, Ubuntu 23.04+)
export PATH := $(HOME)/.local/bin:$(PATH)
UV_BOOT = command -v uv >/dev/null || python3 -m pip install -q uv 2>/dev/null || python3 -m pip install -q --user --break-system-packages uv \
	|| { echo "make needs uv: install it (pip install uv, or see https://docs.astral.sh/uv/) and run make again"; exit 1; }

.PHONY: demo test test-all bench apt venv bytecode sync readme clean pretrain test-latest test-ddp

demo: apt venv
	$(BIN)/fastai-audio demo --data $(DATA)

test: apt venv bytecode
	tools/check_sync.sh
	$(BIN)/python tools/nbtest.py
	$(BIN)/python tools/test_ddp.py

# `fastai-audio train` under `accelerate launch` with two CPU processes (gloo) on the mini set, against one process (~45 s)
test-ddp: apt venv bytecode
	$(BIN)/python tools/test_ddp.py

# the slow cells too, and the GPU cells where a GPU is present
test-all: apt venv bytecode
	tools/check_sync.sh
	$(BIN)/python tools/nbtest.py --flags "slow $$($(BIN)/python -c 'import torch;print("cuda" if torch.cuda.is_available() else "")')"

# a second environment, .venv-latest, with the newest fastai, fastcore and torch that install together (our loose
# requirements, no constraints file, upgraded on every run), then a smoke test without nbdev. torchaudio stopped at
# 2.11, declares no torch version and only imports on torch 2.11, so the library does not import it (functional.py);
# TORCH=paired holds torch to the newest torchaudio's version instead
VENV_LATEST := .venv-latest
TORCH ?= newest
test-latest: apt
	@$(UV_BOOT)
	@[ -x $(VENV_LATEST)/bin/python ] || uv venv -q -p $(PY) $(VENV_LATEST)
	@ta=$$(echo torchaudio | uv pip compile -q --no-deps --no-header --no-annotate -p $(PY) - | sed -n 's/^torchaudio==\([0-9]*\.[0-9]*\).*/\1/p'); \
	pin=$$([ "$(TORCH)" = newest ] || echo "torch==$$ta.* torchaudio==$$ta.*"); \
	echo "VIRTUAL_ENV=$(VENV_LATEST) uv pip install -q --upgrade -e . $$pin"; \
	VIRTUAL_ENV=$(VENV_LATEST) uv pip install -q --upgrade -e . $$pin
	$(VENV_LATEST)/bin/python tools/smoke_latest.py

bench: apt venv
	$(BIN)/python bench/spectrogram.py

# the audio-pretrained body the package carries (nbs/09_pretrain.ipynb; `audio_learner(..., pretrained='audio')` and the demo start
# from it): renders the pretraining corpus into $(DATA)/nsynth_gm_pretrain if needed (8,191 notes of FluidR3_GM and
# MuseScore_General_Lite), then trains audio_cnn on the 'compact' spectrogram for 30 epochs and writes $(PRETRAIN_OUT); about 9 min
# on an idle 2-core CPU with bfloat16 instructions (AVX-512 BF16, AMX), where the steps run in bfloat16; PRETRAIN_BF16= on one without
# (bfloat16 is emulated there, many times slower). PRETRAIN_ARGS adds to or overrides the command line, e.g. "--threads 1" on a busy
# CPU, or the ResNet body: PRETRAIN_ARGS="--arch audio_resnet --spec nsynth_study --epochs 10" PRETRAIN_OUT=models/audio_resnet.pth;
# on a GPU PRETRAIN_ARGS="--arch resnet18 --spec nsynth_study --size large --device cuda" PRETRAIN_OUT=models/audio_resnet18.pth
PRETRAIN_OUT ?= fastai_audio_nb/weights/audio_cnn_compact.pth
PRETRAIN_BF16 ?= --bf16
pretrain: apt venv
	$(BIN)/fastai-audio pretrain --data $(DATA) --arch audio_cnn --spec compact --epochs 30 $(PRETRAIN_BF16) --out $(PRETRAIN_OUT) $(PRETRAIN_ARGS)

apt:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || exit 1; \
	  else echo "missing Debian packages:$$missing -- run as root: apt-get install$$missing"; exit 1; fi; \
	fi

venv: $(VENV)/.installed

# The environment is installed without byte-compiling it (44 s to 10 s in a fresh clone: `make demo` starts once, and Python
# compiles what it imports). The tests start dozens of processes, each importing torch and fastai: where Python may not write
# its bytecode (PYTHONDONTWRITEBYTECODE, common in containers), each would compile them again (18 s an import instead of 7),
# so `make test` compiles the installed packages once (about 35 s on 2 cores).
bytecode: $(VENV)/.bytecode

$(VENV)/.bytecode: $(VENV)/.installed
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	@touch $@

$(VENV)/.installed: constraints.txt settings.ini setup.py
	@$(UV_BOOT)
	@[ -x $(BIN)/python ] || uv venv -q -p $(PY) $(VENV)
	VIRTUAL_ENV=$(VENV) uv pip install -q -c constraints.txt -e '.[dev]'
	@# PANNs' Cnn6 for the tests (nbs/03c_audioset): its model code only; its requirements pin numpy<2 and are not needed
	VIRTUAL_ENV=$(VENV) uv pip install -q --no-deps -c constraints.txt laion-clap
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
