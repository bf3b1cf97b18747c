"""The engine's handling of a run as a whole (per-rule behaviour is in unit_rules/)."""

from __future__ import annotations

import gc

from imagelint.core.model import Settings
from imagelint.core.rulebook import all_rules
from imagelint.reading.sources import SourceRef
from imagelint.running.engine import Engine
from tests.helpers import FIXTURES


def test_the_run_rules_work_with_the_records_frozen_and_nothing_stays_frozen():
    """Collections during the run rules kept traversing every record of the run (8% of a run
    of 4,000 files); the records are kept out of the collector's sight meanwhile."""
    import imagelint.rules.image_typo as image_typo

    seen = []
    real = image_typo.check

    def spying(run, settings):
        seen.append(gc.get_freeze_count())
        yield from real(run, settings)

    rules = [r.replace(run_check=spying) if r.name == "image-typo" else r for r in all_rules()]
    path = FIXTURES / "workloads.yaml"
    report = Engine(Settings(), rules).check([SourceRef("workloads.yaml", str(path))])
    assert report.findings
    assert len(seen) == 1 and seen[0] > 0
    assert gc.get_freeze_count() == 0


def test_a_files_bytes_are_let_go_once_decoded(monkeypatch):
    """A big file was held twice while checked (its bytes and its text): 343 -> 247 MB peak
    on one file of 100,000 documents (87 MB)."""
    from imagelint.running import engine

    freed: list[bool] = []

    class Data(bytes):  # bytes that say when they are freed
        def __del__(self) -> None:
            freed.append(True)

    freed_at_load = []
    real_load = engine.load
    path = FIXTURES / "workloads.yaml"

    def loading(display, text):
        freed_at_load.append(bool(freed))
        return real_load(display, text)

    monkeypatch.setattr(engine, "read_bytes", lambda ref: Data(path.read_bytes()))
    monkeypatch.setattr(engine, "load", loading)
    report = Engine(Settings()).check([SourceRef("workloads.yaml", str(path))])
    assert not report.internal_errors and report.findings
    assert freed_at_load == [True]


def test_the_pure_rule_cache_is_bounded_and_changes_nothing(monkeypatch):
    from imagelint.running import engine

    text = "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\n"
        f"spec: {{containers: [{{name: c, image: 'Nginx:{i}'}}, {{name: d, image: 'x{i}'}}]}}\n"
        for i in range(40)
    )

    def findings(size: int) -> list[tuple]:
        monkeypatch.setattr(engine, "_PURE_CACHE_SIZE", size)
        checker = Engine(Settings())
        report = checker.check_text("pods.yaml", text)
        assert len(checker._pure_cache) <= size
        return [(f.line, f.column, f.rule, f.message) for f in report.findings]

    assert findings(7) == findings(10_000)


def test_the_records_of_one_object_share_its_identity():
    report_records = []
    checker = Engine(Settings())
    path = FIXTURES / "workloads.yaml"
    checker._merge = lambda result, report, run: report_records.extend(result.images)
    checker.check([SourceRef("workloads.yaml", str(path))])
    by_object: dict[tuple, list[int]] = {}
    for record in report_records:
        key = (record.object.kind, record.object.namespace, record.object.name, record.site.path)
        by_object.setdefault(key, []).append(id(record.object))
    assert any(len(ids) > 1 for ids in by_object.values())  # objects with several images
    assert all(len(set(ids)) == 1 for ids in by_object.values())


def test_settling_records_as_the_run_goes_changes_nothing(monkeypatch):
    """Records are frozen out of the collector's sight every SETTLE_EVERY files; the report is
    the same, the settling happens, and nothing stays frozen after the run."""
    from imagelint.running import collect as engine

    refs = [SourceRef(p.name, str(p)) for p in sorted(FIXTURES.glob("*.yaml"))]
    assert len(refs) > 3
    calls = []
    real_settle = engine.settle

    def counting() -> None:
        calls.append(gc.get_freeze_count())
        real_settle()

    def findings(every: int) -> list[tuple]:
        monkeypatch.setattr(engine, "SETTLE_EVERY", every)
        report = Engine(Settings()).check(refs)
        assert gc.get_freeze_count() == 0
        return [(f.path, f.line, f.column, f.rule, f.message) for f in report.findings]

    monkeypatch.setattr(engine, "settle", counting)
    assert findings(1) == findings(10_000)
    # every=1: after each file and before the run rules; every=10,000: before the run rules
    assert len(calls) == (len(refs) + 1) + 1


def test_jobs_give_the_report_of_one_process_with_this_process_checking_a_share(monkeypatch):
    """With --jobs, the parent checks the chunks no worker has started while it waits for the
    next chunk's result (here: while slowed workers sleep); the findings still come back in file
    order, and the report is byte for byte the one of a single process."""
    import os
    import threading

    from imagelint.reporting.formatters import jsonout
    from imagelint.running import parallel

    refs = [
        SourceRef(f"{index:03d}-{p.name}", str(p))
        for index in range(12)
        for p in sorted(FIXTURES.glob("*.yaml"))
    ]
    assert len(refs) >= 2 * parallel.FILES_PER_WORKER
    alone = jsonout.render(Engine(Settings()).check(refs))

    parent, here = os.getpid(), []
    real_check = Engine.check_safely

    def checking(self, ref, partial, records_only):
        if os.getpid() == parent:
            here.append(ref.display)
        return real_check(self, ref, partial, records_only)

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # fork, so the patches are seen
    monkeypatch.setattr(Engine, "check_safely", checking)
    monkeypatch.setattr(_slow_chunk, "real", parallel._check_chunk, raising=False)
    monkeypatch.setattr(parallel, "_check_chunk", _slow_chunk)
    shared = jsonout.render(Engine(Settings()).check(refs, jobs=2))
    assert shared == alone
    assert 0 < len(here) < len(refs)  # this process took a share, not all
    assert refs[-1].display in here and refs[0].display not in here  # from the end


def _slow_chunk(chunk):
    """A worker that starts late (sent to workers by name, so at module level)."""
    import time

    time.sleep(0.2)
    return _slow_chunk.real(chunk)  # type: ignore[attr-defined]


def test_workers_are_spawned_when_threads_run(monkeypatch):
    """Forking while other threads run is unsafe: the workers are then spawned (through
    concurrent.futures), and the report is the one of a single process."""
    from imagelint.reporting.formatters import jsonout
    from imagelint.running import parallel

    refs = [
        SourceRef(f"{index:03d}-{p.name}", str(p))
        for index in range(12)
        for p in sorted(FIXTURES.glob("*.yaml"))
    ]
    assert parallel.processes_for(2, [(ref, False, False) for ref in refs]) == 2
    alone = jsonout.render(Engine(Settings()).check(refs))
    forked = []
    monkeypatch.setattr("imagelint.running.forkpool.ForkPool", lambda *a: forked.append(a))
    monkeypatch.setattr("threading.active_count", lambda: 2)  # as if another thread ran
    assert jsonout.render(Engine(Settings()).check(refs, jobs=2)) == alone
    assert not forked


def test_settling_collects_young_objects_only_after_an_anchor(monkeypatch, tmp_path):
    """A collection before freezing walks every record merged since the last one, and finds a
    cycle only where an alias (so an anchor) made one: it runs only then."""
    from imagelint.reading.sources import discover
    from imagelint.running import collect

    collections = []
    monkeypatch.setattr(collect, "SETTLE_EVERY", 2)
    monkeypatch.setattr(collect, "SETTLE_COLLECT_FROM", 0)
    monkeypatch.setattr(collect.gc, "collect", lambda generation=2: collections.append(generation))
    plain = "apiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: c, image: nginx:1.25}]}\n"
    for index in range(4):
        (tmp_path / f"{index}.yaml").write_text(plain % index)
    Engine(Settings()).check(discover([str(tmp_path)]))
    assert collections == []
    # A recursive alias: the composed nodes are a cycle, which only the collector frees.
    (tmp_path / "9-loop.yaml").write_text("a: &loop\n  - *loop\n")
    report = Engine(Settings()).check(discover([str(tmp_path)]))
    assert collections and report.files == 5
