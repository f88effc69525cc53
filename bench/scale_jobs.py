"""Long jobs of the scale bench, each in a fresh process so that its peak memory is its own:
`python -m bench.scale_jobs import FILE` (a roster into the province node, full validation,
committed), `python -m bench.scale_jobs export` (every person, as the department officer) and
`python -m bench.scale_jobs suggestions` (the whole province's suggestions for 2027, as a task).
Prints one JSON line: seconds, rows, peak resident memory in MB."""

import json
import resource
import sys
import time
from typing import Any


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(path: str) -> dict[str, Any]:
    from django.utils import timezone

    from llct.core.models import User
    from llct.organizations.models import Organization
    from llct.organizations.roster.imports import person_import_roster

    province = Organization.objects.get(code="TINH")
    actor = User.objects.get(username="bantuyengiao")
    started = time.perf_counter()
    result = person_import_roster(
        file=path, organization=province, actor=actor, today=timezone.localdate()
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": result.created + result.updated + result.unchanged + len(result.rejected),
        "created": result.created,
        "rejected": len(result.rejected),
        "peak_mb": _peak_mb(),
    }


def run_export() -> dict[str, Any]:
    from llct.core.models import User
    from llct.organizations.models import PeopleExport
    from llct.organizations.tasks import people_export_task

    user = User.objects.get(username="bantuyengiao")
    export = PeopleExport.objects.create(requested_by=user, filters={}, language="vi")
    started = time.perf_counter()
    people_export_task.call(export_id=export.pk)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    size = export.file.size if export.file else 0
    export.file.delete(save=False)
    export.delete()
    return {
        "seconds": seconds,
        "rows": export.total_rows,
        "status": export.status,
        "mb": size / 1e6,
        "peak_mb": _peak_mb(),
    }


def run_suggestions() -> dict[str, Any]:
    """The province-wide suggestions task as the department officer starts it: the rules,
    then the .xlsx written; its row and file are removed afterwards."""
    from llct.core.models import User
    from llct.planning.models import SuggestionExport
    from llct.planning.tasks import province_suggestions_task

    user = User.objects.get(username="bantuyengiao")
    export = SuggestionExport.objects.create(requested_by=user, year=2027, language="vi")
    started = time.perf_counter()
    province_suggestions_task.call(export_id=export.pk, today="2026-12-01")
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    size = export.file.size if export.file else 0
    export.file.delete(save=False)
    export.delete()
    return {
        "seconds": seconds,
        "suggestions": export.total_rows,
        "organizations": export.organizations,
        "status": export.status,
        "mb": size / 1e6,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    from bench.scale import configure

    configure()
    if sys.argv[1] == "import":
        print(json.dumps(run_import(sys.argv[2])))
    elif sys.argv[1] == "suggestions":
        print(json.dumps(run_suggestions()))
    else:
        print(json.dumps(run_export()))


if __name__ == "__main__":
    main()
