# The two commands of the README, plus a few for developers. Each sets itself up on a fresh
# machine that has Python 3.12+ (uv is installed into .tools/ when missing).
.PHONY: demo test lint format bench check-deploy clean

export UV_PYTHON_DOWNLOADS := never
# Bootstrap once, on first use (not for `make clean`).
UV = $(eval UV := $$(shell scripts/bootstrap))$(if $(UV),$(UV),$(error scripts/bootstrap failed: see above))

demo:
	DEBUG=1 $(UV) run --frozen trellis demo

test:
	@scripts/ensure-browser
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy --strict src/trellis/matching src/trellis/csvfiles.py

format:
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

bench:
	$(UV) run --frozen python benchmarks/import_people.py
	$(UV) run --frozen python benchmarks/reporting_line.py
	$(UV) run --frozen python benchmarks/matching.py 1000 10000 csv
	$(UV) run --frozen python benchmarks/match_run.py
	$(UV) run --frozen python benchmarks/dashboard.py

check-deploy:
	DEBUG=0 SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=trellis.example.com $(UV) run --frozen trellis check --deploy --fail-level WARNING

clean:
	rm -rf .venv .tools var
