#!/usr/bin/env python3
"""Refreshes core/prices/anthropic.json, the price table ccmeter bundles for tokens whose cost Claude Code did
not report (transcripts), from the `genai-prices` package on PyPI (pydantic/genai-prices, kept up to date by its
maintainers from Anthropic's pricing pages).

    python3 scripts/refresh-prices.py [VERSION]

It installs that package (the newest when no VERSION is given) into a throwaway virtual environment, reads its
Anthropic provider and writes every Claude model's match rules and dated prices (USD per million tokens, kept as
the decimal text the package has, so nothing is rounded). Review the diff and commit it with the tests.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "core" / "prices" / "anthropic.json"


def export(version: str) -> dict:
    from genai_prices import data  # noqa: PLC0415 (only importable inside the environment)

    provider = next(p for p in data.providers if p.id == "anthropic")

    def clause(c):
        kind = type(c).__name__
        if kind == "ClauseOr":
            return {"or": [clause(x) for x in c.or_]}
        if kind == "ClauseAnd":
            return {"and": [clause(x) for x in c.and_]}
        for name in ("equals", "starts_with", "ends_with", "contains", "regex"):
            if hasattr(c, name):
                return {name: getattr(c, name)}
        raise SystemExit(f"a match clause this script does not know: {c!r}")

    def price(value):
        if value is None:
            return None
        if type(value).__name__ == "TieredPrices":
            return {"base": str(value.base), "tiers": [{"start": t.start, "price": str(t.price)} for t in value.tiers]}
        return str(value)

    def prices(p):
        return {
            "input": price(p.input_mtok),
            "output": price(p.output_mtok),
            "cache_read": price(p.cache_read_mtok),
            "cache_write": price(p.cache_write_mtok),
            "cache_write_1h": price(getattr(p, "cache_write_1h_mtok", None)),
        }

    def dated(model):
        if type(model.prices).__name__ == "ModelPrice":
            return [{"from": None, **prices(model.prices)}]
        out = []
        for conditional in model.prices:
            start = getattr(conditional.constraint, "start_date", None) if conditional.constraint else None
            if conditional.constraint is not None and start is None:
                raise SystemExit(f"{model.id}: a price constraint this script does not know: {conditional.constraint!r}")
            out.append({"from": start.isoformat() if start else None, **prices(conditional.prices)})
        return out

    return {
        "source": f"genai-prices {version} (PyPI), provider {provider.id}",
        "refreshed": datetime.date.today().isoformat(),
        "unit": "USD per million tokens; a tier's price applies to every token once the request's input (with cache reads and writes) passes its start",
        "models": [{"id": m.id, "match": clause(m.match), "prices": dated(m)} for m in provider.models],
    }


def main() -> None:
    if os.environ.get("CCMETER_PRICES_VENV"):
        import genai_prices  # noqa: PLC0415

        version = getattr(genai_prices, "__version__", "unknown")
        OUT.write_text(json.dumps(export(version), indent=1) + "\n")
        print(f"wrote {OUT} from genai-prices {version}")
        return
    wanted = f"genai-prices=={sys.argv[1]}" if len(sys.argv) > 1 else "genai-prices"
    with tempfile.TemporaryDirectory() as venv:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        python = Path(venv) / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "--quiet", wanted], check=True)
        subprocess.run([python, __file__], check=True, env={**os.environ, "CCMETER_PRICES_VENV": venv})


if __name__ == "__main__":
    main()
