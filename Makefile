# Device Checkup — every target sets itself up from nothing; no root needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Never write .pyc files next to the code, and keep pip quiet.
export PYTHONDONTWRITEBYTECODE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test scan bench dist clean translations

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

# The portable app: one folder that runs without Python (packaging/freeze.py, cx_Freeze), and a
# tarball of it made the same way every time (sorted, fixed owner and dates). See docs/building.md.
DIST_STAMP := $(VENV)/.installed-dist
DIST_NAME   = device-checkup-$(shell $(PY) -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")-linux-$(shell uname -m)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

$(DIST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	rm -rf dist/device-checkup
	$(PY) packaging/freeze.py build_exe --build-exe dist/device-checkup
	tar --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
	    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	    -C dist -cf - device-checkup | gzip -n -9 > dist/$(DIST_NAME).tar.gz
	cd dist && sha256sum $(DIST_NAME).tar.gz > $(DIST_NAME).tar.gz.sha256
	@echo "dist/device-checkup/device-checkup  (folder: $$(du -sh dist/device-checkup | cut -f1))"
	@cat dist/$(DIST_NAME).tar.gz.sha256

clean:
	rm -rf $(VENV) build dist *.egg-info
