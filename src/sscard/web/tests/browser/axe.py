"""axe-core accessibility scan of the current page: serious and critical violations fail the test."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()


def serious_violations(page) -> list[str]:
    results = _AXE.run(page)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            nodes = "; ".join(",".join(n["target"]) for n in v["nodes"][:5])
            found.append(f"{v['id']} ({v['impact']}): {v['help']} [{nodes}]")
    return found
