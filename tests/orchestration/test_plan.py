"""The flow's bookkeeping, called as plain functions (no Prefect): what is new, what is
settled, what to translate, what came back, what each stage counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path

from flows.language.detection import detect_document
from flows.orchestration import plan
from flows.readers.ingest import doc_text
from flows.records import ProcessedDocument, Reject, Translation
from flows.segmentation.segment import segment
from flows.translation.align import EngineInfo
from flows.translation.batch import BatchResult

BEAM_4 = EngineInfo("argos", "argos/translate-es_en@1.0", "engine:argos|beam:4")
BEAM_1 = EngineInfo("argos", "argos/translate-es_en@1.0", "engine:argos|beam:1")


def processed(text: str) -> ProcessedDocument:
    article = doc_text(text, "/in/seed.txt")
    return detect_document(ProcessedDocument(article, segment(article)))


def test_sort_inputs_skips_written_articles_and_settles_reread_inputs() -> None:
    new, same, copy = (doc_text(t, p) for t, p in [("a", "/a.txt"), ("b", "/b.txt"), ("b", "/c")])
    rejects = [Reject("/d.txt", "empty", "the file has no text")]
    known = {("/d.txt", "empty"), ("/a.txt", "binary")}
    intake = plan.sort_inputs([new, same, copy], rejects, {same.doc_id: "/b.txt"}, known)
    assert intake.articles == (new,)
    assert intake.skipped == (same,)
    assert [(r.source_path, r.reason_code) for r in intake.rejects] == [
        ("/d.txt", "empty"),
        ("/c", "duplicate"),
    ]
    assert [r.source_path for r in intake.new_rejects] == ["/c"]  # /d.txt is recorded already
    # /a.txt was a binary reject and is an article now: its old reject row goes
    assert intake.settled == {"/a.txt", "/b.txt", "/c"}


def test_plan_translation_reads_the_cache_of_its_own_signature_only(seed_text: str) -> None:
    docs = [processed(seed_text)]
    asked: list[str] = []
    looked_up: list[tuple[str, ...]] = []
    earlier = {"engine:argos|beam:4": {}, "engine:argos|beam:1": {}}

    def read_cache(signature: str, texts: Collection[str]) -> Mapping[str, Translation]:
        asked.append(signature)
        looked_up.append(tuple(texts))
        return earlier[signature]

    first = plan.plan_translation(docs, "tweets", "es", BEAM_4, read_cache)
    assert len(first.wanted) == 2  # the hashtag-only sentence is not among them
    assert "#ReuniónTrilateral" not in first.wanted
    earlier["engine:argos|beam:4"] = {t: Translation(f"EN {t}") for t in first.wanted}
    again = plan.plan_translation(docs, "tweets", "es", BEAM_4, read_cache)
    assert (again.to_send, set(again.cached)) == ((), set(first.wanted))
    other = plan.plan_translation(docs, "tweets", "es", BEAM_1, read_cache)
    assert (other.to_send, other.cached) == (first.wanted, {})
    assert asked == ["engine:argos|beam:4", "engine:argos|beam:4", "engine:argos|beam:1"]
    assert looked_up == [first.wanted] * 3  # only the sentences this run needs


def test_nothing_to_translate_reads_no_cache() -> None:
    def read_cache(signature: str, texts: Collection[str]) -> Mapping[str, Translation]:
        raise AssertionError("read without need")

    docs = [processed("Title\nAn English paragraph with no tweets at all.")]
    assert plan.plan_translation(docs, "tweets", "es", BEAM_4, read_cache).to_send == ()
    assert plan.plan_translation([], "tweets", "es", BEAM_4, read_cache).wanted == ()


def test_gather_merges_batches_and_keeps_cached_translations() -> None:
    todo = plan.TranslationPlan(("a", "b", "c"), {"a": Translation("A")}, ("b", "c"))
    done = plan.gather(
        todo,
        [
            BatchResult({"b": Translation("B")}, stats=Counter({"apertium.fallback_batches": 1})),
            BatchResult(failed=("c",), reason="apertium: exit status 1"),
        ],
    )
    assert done.translations == {"a": Translation("A"), "b": Translation("B")}
    assert done.failed == {"c"}
    assert done.reasons == ("translation failed for 1 sentences: apertium: exit status 1",)
    assert done.stats == {"apertium.fallback_batches": 1}


def test_pairs_and_counters_of_the_seed(seed_text: str) -> None:
    docs = [processed(seed_text)]
    todo = plan.plan_translation(docs, "tweets", "es", BEAM_4, lambda s, texts: {})
    done = plan.gather(todo, [BatchResult({t: Translation(f"EN {t}") for t in todo.to_send})])
    pairs = plan.align_all(docs, "tweets", "es", "en", todo, done, BEAM_4)
    assert [p.status for p in pairs] == ["copied", "translated", "translated"]
    assert {p.engine_signature for p in pairs if p.status == "translated"} == {BEAM_4.signature}
    intake = plan.sort_inputs([docs[0].article], [], {}, set())
    counters = plan.run_counters(intake, docs, todo, done, pairs, BEAM_4)
    assert counters["ingest.inputs"] == counters["ingest.documents"] == 1
    assert counters["segment.kind.tweet"] == 2
    assert counters["segment.kind.boilerplate"] == counters["detect.und.boilerplate"] >= 1
    assert counters["translate.argos.sent"] == 2
    assert counters["translate.argos.cached"] == 0
    assert counters["align.status.copied"] == 1
    assert counters["align.status.translated"] == 2
    rows = plan.dataset_rows(docs, pairs, [], "run-1", "es")
    assert {k: len(v) for k, v in rows.items()} == {
        "documents": 1,
        "segments": len(docs[0].segments),
        "sentence_pairs": 3,
        "rejects": 0,
    }


def test_a_sentence_translated_in_an_earlier_window_is_not_sent_again() -> None:
    todo = plan.TranslationPlan(("a", "b"), {}, ("a", "b"))
    rest, known = plan.split_known(todo, {"a": Translation("A")})
    assert rest.to_send == ("b",)
    assert known.done == {"a": Translation("A")}
    done = plan.gather(rest, [known, BatchResult({"b": Translation("B")})])
    assert done.translations == {"a": Translation("A"), "b": Translation("B")}


def test_totals_of_two_windows_are_the_totals_of_one(seed_text: str) -> None:
    from datetime import date

    from flows.store.datasets import RunInfo

    run = RunInfo.of("run-1", date(2026, 1, 2), "tweets", "es", "en", BEAM_4)
    second = seed_text.replace("\n", "\nAnother paragraph in English for the second copy.\n", 1)
    docs = [processed(seed_text), processed("Other title\n" + second)]
    intake = plan.sort_inputs([d.article for d in docs], [], {}, set())

    def window(part: list[ProcessedDocument], totals: plan.RunTotals) -> None:
        todo = plan.plan_translation(part, "tweets", "es", BEAM_4, lambda s, texts: {})
        todo, known = plan.split_known(todo, totals.translations)
        made = BatchResult({t: Translation(f"EN {t}") for t in todo.to_send})
        done = plan.gather(todo, [known, made])
        totals.add(
            run,
            part,
            todo,
            done,
            plan.align_all(part, "tweets", "es", "en", todo, done, BEAM_4),
            BEAM_4,
        )

    whole, split = plan.RunTotals(), plan.RunTotals()
    whole.add_intake(intake)
    split.add_intake(intake)
    window(docs, whole)
    window(docs[:1], split)
    window(docs[1:], split)
    one = plan.summarise_totals(run, whole, "out", 1.0)
    two = plan.summarise_totals(run, split, "out", 1.0)
    assert one == two
    assert (one.documents, one.tweets, one.translated, one.cached) == (2, 4, 4, 0)
    assert one.counters["ingest.inputs"] == 2  # the intake is counted once, not per window
    assert one.counters["translate.argos.sent"] == 2  # the second copy's tweets are not sent
    assert split.replaced == {d.article.doc_id for d in docs}
    assert [p.segment_id for p in split.preview] == [p.segment_id for p in whole.preview]


def test_inputs_read_in_windows_are_the_inputs_read_at_once(tmp_path: Path) -> None:
    from flows.readers.ingest import scan

    folder = tmp_path / "in"
    folder.mkdir()
    texts = {"a": "same", "b": "other", "c": "same", "d": "", "e": "third", "f": "other"}
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(f"{text}\n", encoding="utf-8")
    root = tmp_path / "out"
    whole = plan.intake_of(root, [str(folder)])
    files, scan_rejects = scan([str(folder)])
    for size in (1, 2, 4, 100):
        parts = list(plan.window_intakes(root, files, scan_rejects, size))
        assert len(parts) == -(-len(files) // size)
        assert [a for p in parts for a in p.articles] == list(whole.articles)
        assert {r for p in parts for r in p.rejects} == set(whole.rejects)
        assert frozenset().union(*(p.settled for p in parts)) == whole.settled
    assert [a.source_path.rsplit("/", 1)[1] for a in whole.articles] == ["a.txt", "b.txt", "e.txt"]
    assert sorted((r.source_path.rsplit("/", 1)[1], r.reason_code) for r in whole.rejects) == [
        ("c.txt", "duplicate"),
        ("d.txt", "empty"),
        ("f.txt", "duplicate"),
    ]
    assert list(plan.window_intakes(root, [], [], 10)) == [plan.sort_inputs([], [], {}, set())]


def test_a_sentence_taken_from_earlier_output_is_counted_once_per_run(seed_text: str) -> None:
    from datetime import date

    from flows.store.datasets import RunInfo

    run = RunInfo.of("run-1", date(2026, 1, 2), "tweets", "es", "en", BEAM_4)
    docs = [processed(seed_text), processed("Other title\n" + seed_text)]  # the same tweets
    earlier = {
        t: Translation(f"EN {t}")
        for t in plan.plan_translation(docs, "tweets", "es", BEAM_4, lambda s, t: {}).wanted
    }

    def window(part: list[ProcessedDocument], totals: plan.RunTotals) -> None:
        todo = plan.plan_translation(part, "tweets", "es", BEAM_4, lambda s, texts: earlier)
        todo, known = plan.split_known(todo, totals.translations)
        done = plan.gather(todo, [known])
        pairs = plan.align_all(part, "tweets", "es", "en", todo, done, BEAM_4)
        totals.add(run, part, todo, done, pairs, BEAM_4)

    whole, split = plan.RunTotals(), plan.RunTotals()
    window(docs, whole)
    window(docs[:1], split)
    window(docs[1:], split)
    assert split.counters == whole.counters
    assert whole.counters["translate.argos.cached"] == len(earlier) == 2
    assert split.counts["cached"] == whole.counts["cached"] == 4  # pairs: two per document
