# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
DEV := $(PYTHON) tools/dev.py
# 18.0 (default) or 19.0: `make test ODOO_SERIES=19.0` (see README.md, Layout)
ODOO_SERIES ?= 18.0
export ODOO_SERIES

.PHONY: run test lint i18n bench load setup clean

run:    ## serve Odoo with the addon and demo data on http://localhost:$${ODOO_PORT:-8069}
	$(DEV) run

test:   ## static checks, the wheel, then the Odoo suite on fresh databases
	$(DEV) test $(ARGS)

i18n:   ## export i18n/helpdesk_after_sales.pot and merge it into the .po files
	$(DEV) i18n

lint:   ## static checks only (the local hooks of .pre-commit-config.yaml)
	$(DEV) lint

bench:  ## benchmarks, written to BENCHMARKS.md
	$(DEV) bench -- $(ARGS)

load:   ## load test of the prefork server at 1, 2 and 4 workers (Locust), to BENCHMARKS.md
	$(DEV) load -- $(ARGS)

setup:  ## only create .venv and install Odoo, the OCA addons and tools
	$(DEV) setup

clean:  ## remove the virtualenvs and series builds (the Odoo trees, databases and caches stay)
	rm -rf .venv .venv-19.0 build
