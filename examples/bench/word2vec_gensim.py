"""gensim twin of `cargo run --release --example word2vec`: same corpus, flags and evaluation.

Trains gensim's Word2Vec in `corpus_file` mode with the flags of our benchmark (skip-gram, size 100,
window 5, negative 5, sample 1e-4, min-count 5, iter 5, threads 2, alpha 0.025 decaying linearly to
alpha * 1e-4 as in the original tool), times `train()` on the wall clock, and prints raw corpus
words per second (every word of the file, out-of-vocabulary and subsampled ones included, times the
epochs: the same count our example prints), then the analogy accuracy (restrict_vocab=30000, the
three question words excluded) and the WordSim353 correlations.

    python examples/bench/word2vec_gensim.py [--corpus FILE] [--save vectors.bin]
    python examples/bench/word2vec_gensim.py --load ours.bin     # evaluate vectors we saved

Both sides treat each line as a sentence, split every 10 000 words (gensim's MAX_WORDS_IN_BATCH,
which our trainer copies as MAX_SENTENCE_LEN).
"""
import argparse
import logging
import os
import time

from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import LineSentence

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "text")


def evaluate(wv):
    score, sections = wv.evaluate_word_analogies(
        os.path.join(DATA, "questions-words.txt"), restrict_vocab=30000, case_insensitive=True
    )
    print("\nAnalogies (3CosAdd, 30 000 most frequent words, question words excluded):\n")
    print("| section | correct | attempted | accuracy |")
    print("|---|---:|---:|---:|")
    for s in sections:
        c, n = len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        name = "total" if s["section"] == "Total accuracy" else s["section"]
        print(f"| {name} | {c} | {n} | {100.0 * c / max(n, 1):.2f}% |")
    pearson, spearman, oov = wv.evaluate_word_pairs(
        os.path.join(DATA, "wordsim353.tsv"), restrict_vocab=300000, case_insensitive=True
    )
    print("\nWordSim353:\n")
    print("| Spearman | Pearson | OOV pairs |")
    print("|---:|---:|---:|")
    print(f"| {spearman.statistic:.4f} | {pearson.statistic:.4f} | {oov:.1f}% |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", default=os.path.join(DATA, "enwiki_sample.txt"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iter", type=int, default=5)
    p.add_argument("--save", help="save the vectors in word2vec binary format")
    p.add_argument("--load", help="only evaluate vectors from this word2vec-format file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-eval", action="store_true")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--iterable", action="store_true",
                   help="train from a LineSentence iterable instead of corpus_file (gensim's "
                        "standard mode: one learning-rate schedule shared by all workers)")
    a = p.parse_args()
    if a.verbose:
        logging.basicConfig(format="%(asctime)s %(message)s", level=logging.INFO)
    if a.load:
        wv = KeyedVectors.load_word2vec_format(a.load, binary=a.load.endswith(".bin"))
        print(f"loaded {len(wv)} vectors of dimension {wv.vector_size} from {a.load}")
        evaluate(wv)
        return
    model = Word2Vec(
        vector_size=100, window=5, min_count=5, sg=1, hs=0, negative=5, sample=1e-4,
        workers=a.threads, epochs=a.iter, alpha=0.025, min_alpha=0.025 * 1e-4, seed=a.seed,
    )
    source = {"corpus_file": a.corpus}
    if a.iterable:
        source = {"corpus_iterable": LineSentence(a.corpus, max_sentence_length=10000)}
    model.build_vocab(**source)
    total = model.corpus_total_words
    print(f"vocabulary: {len(model.wv)} words ({total} corpus words)")
    t0, c0 = time.perf_counter(), time.process_time()
    model.train(**source, total_words=total, epochs=a.iter)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"training used {cpu:.2f} CPU s (all threads)")
    print(f"trained in {dt:.2f} s: {total * a.iter / dt:.0f} corpus words/s "
          f"({total * a.iter} corpus words, {a.threads} threads)")
    if a.save:
        model.wv.save_word2vec_format(a.save, binary=a.save.endswith(".bin"))
        print(f"saved {len(model.wv)} vectors to {a.save}")
    if not a.no_eval:
        for w in ["france", "king", "music"]:
            print(w + ": " + ", ".join(f"{x} ({s:.3f})" for x, s in model.wv.most_similar(w, topn=8)))
        evaluate(model.wv)


if __name__ == "__main__":
    main()
