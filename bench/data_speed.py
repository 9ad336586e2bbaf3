"""Data speed: how fast text becomes training batches, next to how fast the model eats them.

A demo-style corpus of `mb` megabytes is generated (see clean_speed), a byte-level BPE tokenizer
(4096 tokens) is trained on it, then:
* encode: the tokenize stage's pass over the corpus (`write_shards`: batched encoding in the Rust
  tokenizer, document ids and token shards written) in MB of text per second, and the bare
  `encode_batch` on the same text for reference;
* loader: the pretraining sampler (`BatchSampler.next` + `tensors`) for the tiny preset's batch
  (16 windows of 128 tokens) in batches per second, against the training steps per second of the
  tiny model on those batches in the same run — the loader should be far faster than training.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

BATCH, BLOCK = 16, 128


def run(seconds: float = 0.0, mb: float = 20.0) -> dict:
    import torch

    from bench.clean_speed import make_corpus
    from engine.data.corpus import iter_documents
    from engine.data.shards import BatchSampler, TokenData, write_shards
    from engine.model import GPT, GPTConfig
    from engine.tokenizer import EOT, special_id, train_tokenizer

    folder = Path(tempfile.mkdtemp(prefix="lmdojo-data-bench-"))
    try:
        source = folder / "corpus"
        source.mkdir()
        size_mb = make_corpus(source, mb).stat().st_size / 1e6
        corpus = source  # iter_documents reads a folder
        texts = [d.text for d in iter_documents(corpus)]
        text_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

        t = time.perf_counter()
        tok = train_tokenizer(iter(texts), 4096, 2)
        train_s = time.perf_counter() - t

        t = time.perf_counter()
        for i in range(0, len(texts), 1024):
            tok.encode_batch(texts[i : i + 1024], add_special_tokens=False)
        bare_s = time.perf_counter() - t

        out = folder / "tokens"
        t = time.perf_counter()
        writer = write_shards(iter_documents(corpus), tok, out, special_id(tok, EOT), "bench")
        while True:
            try:
                next(writer)
            except StopIteration as stop:
                meta = stop.value
                break
        shards_s = time.perf_counter() - t

        sampler = BatchSampler(TokenData(out, "train"), BLOCK, seed=0)
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < 3.0:
            sampler.tensors(sampler.next(BATCH))
            n += 1
        loader = n / (time.perf_counter() - t)

        torch.manual_seed(0)
        model = GPT(GPTConfig(vocab_size=4096, block_size=BLOCK))
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)

        def step():
            x, y = sampler.tensors(sampler.next(BATCH))
            model(torch.from_numpy(x), targets=torch.from_numpy(y))[0].backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        for _ in range(2):  # warm-up: the first steps allocate
            step()
        steps, t = 0, time.perf_counter()
        while time.perf_counter() - t < 5.0:
            step()
            steps += 1
        train = steps / (time.perf_counter() - t)
        return {
            "corpus_mb": round(size_mb, 1),
            "text_mb": round(text_mb, 1),
            "documents": len(texts),
            "tokens": meta["splits"]["train"]["tokens"] + meta["splits"]["val"]["tokens"],
            "tokenizer_train_s": round(train_s, 1),
            "encode_mb_s": round(text_mb / shards_s, 2),
            "bare_encode_mb_s": round(text_mb / bare_s, 2),
            "loader_batches_per_s": round(loader),
            "train_steps_per_s": round(train, 2),
            "loader_vs_train": round(loader / train),
            "threads": torch.get_num_threads(),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
