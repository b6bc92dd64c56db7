# Device Checkup — every target sets itself up from nothing; no root needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Never write .pyc files next to the code, and keep pip quiet.
export PYTHONDONTWRITEBYTECODE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test scan bench clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# setuptools tells every editable install to mind same-named folders: information, not a
	# problem here (the packages are these folders). Deprecation warnings still show.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/checkup

test: $(STAMP)
	$(PY) -m pytest -q

scan: $(STAMP)
	$(VENV)/bin/checkup scan

# Collect the words into checks/locale/checkup.pot, update each language's .po, remake the
# pseudo-locales and compile the .mo files (committed, so a clone needs no build step).
translations: $(STAMP)
	$(PY) tools/translations.py

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
