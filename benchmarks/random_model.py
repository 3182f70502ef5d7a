"""Random-weight CTranslate2 Transformers with a trained SentencePiece vocabulary: the shared
builder of the tests' tiny Argos package (`tests/support/tiny_argos.py`) and of the
translation benchmark's Transformer base (`benchmarks/translation.py`).

It lives in `benchmarks/` because both can import it: the tests (pytest puts the repository
first on `sys.path`) and the benchmark run as a script. Not `tests/`: argostranslate installs
a top-level `tests` package of its own, which shadows ours outside pytest."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

SPECIAL = ("<unk>", "<s>", "</s>")


def train_sentencepiece(lines: list[str], path: Path, **options: Any) -> list[str]:
    """Train a SentencePiece model on `lines` (soft vocabulary limit, every character kept),
    write it to `path` and return its pieces in id order. `options` go to the trainer."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
        **options,
    )
    path.write_bytes(buffer.getvalue())
    processor = spm.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def save_model(
    spec: Any, vocabulary: list[str], model_dir: Path, quantization: str | None = None
) -> None:
    """Keep the special tokens from being generated (so every output runs to the decoding
    limit), register `vocabulary` on both sides, then validate and save `spec`."""
    bias = spec.decoder.projection.bias
    for token in SPECIAL:
        bias[vocabulary.index(token)] = -30.0
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    if quantization:
        spec.optimize(quantization=quantization)
    spec.save(str(model_dir))


def spec_shape(name: str, vocab_size: int, d: int, f: int) -> tuple[int, ...]:
    """The shape of Transformer spec variable `name` for model width `d` and FFN width `f`
    (weights and layer norms; biases follow their weight)."""
    if name.endswith(("gamma", "beta")):
        return (d,)
    if name.endswith(("embeddings_0/weight", "embeddings/weight", "projection/weight")):
        return (vocab_size, d)
    if name.endswith("self_attention/linear_0/weight"):
        return (3 * d, d)
    if name.endswith("attention/linear_1/weight") and "self_attention" not in name:
        return (2 * d, d)
    if name.endswith("ffn/linear_0/weight"):
        return (f, d)
    if name.endswith("ffn/linear_1/weight"):
        return (d, f)
    if name.endswith("/weight"):
        return (d, d)
    raise ValueError(f"no shape rule for spec variable {name}")
