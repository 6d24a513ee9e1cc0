# The two commands of README.md. Both are idempotent.
.PHONY: study test

study:  ## install everything and run the whole demo study, raw transcripts to report
	bash scripts/setup.sh
	.venv/bin/qualpipe run

test:   ## install what the tests need and run them
	bash scripts/setup.sh --test
	.venv/bin/python -m pytest -q
