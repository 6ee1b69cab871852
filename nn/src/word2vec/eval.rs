//! The two standard benchmarks, with gensim's protocol:
//!
//! - **Analogies** (`questions-words.txt`, Mikolov et al. 2013): for `a b c d`, the answer is the
//!   3CosAdd neighbour of `b - a + c` among the `restrict` most frequent words, the three question
//!   words excluded; a question with a word outside those is skipped. Accuracy per section and
//!   over all attempted questions (gensim's `evaluate_word_analogies`, `restrict_vocab=30000`).
//! - **Word similarity** (WordSim353): Spearman (and Pearson) correlation between human scores and
//!   cosine similarities over the pairs whose words are both known (gensim's
//!   `evaluate_word_pairs`). Words are lower-cased on both benchmarks, as gensim's
//!   `case_insensitive=True` does for a lower-case vocabulary.

use std::fmt;
use std::path::Path;

use super::error::Word2VecError;
use super::keyed_vectors::KeyedVectors;
use super::stats::{pearson, spearman};

/// One section of the analogy file (`: capital-common-countries` ...) and its questions.
#[derive(Debug, Clone)]
pub struct AnalogySection {
    /// The section name, without the leading colon.
    pub name: String,
    /// Questions `a b c d`: a is to b as c is to d.
    pub questions: Vec<[String; 4]>,
}

/// The whole text file at `path`; bytes that are not UTF-8 are a [`Word2VecError::Parse`] on
/// their line.
fn read_text(path: &Path) -> Result<String, Word2VecError> {
    let bytes = std::fs::read(path).map_err(|e| Word2VecError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Word2VecError::Parse {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            message: "line is not valid UTF-8".into(),
        }
    })
}

/// Reads `questions-words.txt`: `: NAME` lines open sections, other lines hold four words.
pub fn read_analogies(path: &Path) -> Result<Vec<AnalogySection>, Word2VecError> {
    let text = read_text(path)?;
    let mut sections: Vec<AnalogySection> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let err = |message: &str| Word2VecError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message: message.into(),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix(':') {
            sections.push(AnalogySection {
                name: name.trim().to_string(),
                questions: Vec::new(),
            });
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
        let q: [String; 4] = words
            .try_into()
            .map_err(|_| err("an analogy question needs exactly four words"))?;
        sections
            .last_mut()
            .ok_or_else(|| err("question before the first \": section\" line"))?
            .questions
            .push(q);
    }
    Ok(sections)
}

/// Accuracy on one section (or on all of them).
#[derive(Debug, Clone, Default)]
pub struct SectionScore {
    /// Section name (`total` for the overall line).
    pub name: String,
    /// Questions answered right.
    pub correct: usize,
    /// Questions whose four words were all known.
    pub attempted: usize,
    /// Questions skipped because a word was unknown.
    pub skipped: usize,
}

impl SectionScore {
    /// `correct / attempted` (0 when nothing was attempted).
    pub fn accuracy(&self) -> f64 {
        if self.attempted == 0 {
            0.0
        } else {
            self.correct as f64 / self.attempted as f64
        }
    }
}

/// Analogy accuracy per section and overall.
#[derive(Debug, Clone)]
pub struct AnalogyReport {
    /// One line per section, in file order.
    pub sections: Vec<SectionScore>,
    /// All sections together.
    pub total: SectionScore,
}

/// Answers every question with 3CosAdd among the `restrict` most frequent words, on `threads`
/// threads.
pub fn evaluate_analogies(
    kv: &KeyedVectors,
    sections: &[AnalogySection],
    restrict: usize,
    threads: usize,
) -> AnalogyReport {
    let view = kv.restrict(restrict);
    let answer = |q: &[String; 4]| -> Option<bool> {
        if q.iter().any(|w| view.index_of(w).is_none()) {
            return None;
        }
        let best = view.most_similar_by(&[&q[1], &q[2]], &[&q[0]], 1).ok()?;
        Some(best.first().is_some_and(|(w, _)| *w == q[3]))
    };
    let mut total = SectionScore {
        name: "total".into(),
        ..SectionScore::default()
    };
    let scores = sections
        .iter()
        .map(|s| {
            let chunk = s.questions.len().div_ceil(threads.max(1)).max(1);
            let results: Vec<Option<bool>> = std::thread::scope(|scope| {
                let handles: Vec<_> = s
                    .questions
                    .chunks(chunk)
                    .map(|qs| scope.spawn(move || qs.iter().map(answer).collect::<Vec<_>>()))
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            let score = SectionScore {
                name: s.name.clone(),
                correct: results.iter().filter(|r| **r == Some(true)).count(),
                attempted: results.iter().filter(|r| r.is_some()).count(),
                skipped: results.iter().filter(|r| r.is_none()).count(),
            };
            total.correct += score.correct;
            total.attempted += score.attempted;
            total.skipped += score.skipped;
            score
        })
        .collect();
    AnalogyReport {
        sections: scores,
        total,
    }
}

impl fmt::Display for AnalogyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "| section | correct | attempted | skipped | accuracy |")?;
        writeln!(f, "|---|---:|---:|---:|---:|")?;
        for s in self.sections.iter().chain([&self.total]) {
            writeln!(
                f,
                "| {} | {} | {} | {} | {:.2}% |",
                s.name,
                s.correct,
                s.attempted,
                s.skipped,
                100.0 * s.accuracy()
            )?;
        }
        Ok(())
    }
}

/// A word pair with its human similarity score.
#[derive(Debug, Clone)]
pub struct WordPair {
    /// First word (lower-cased).
    pub a: String,
    /// Second word (lower-cased).
    pub b: String,
    /// Human score.
    pub score: f64,
}

/// Reads a tab- or space-separated `word word score` file; `#` lines are comments.
pub fn read_word_pairs(path: &Path) -> Result<Vec<WordPair>, Word2VecError> {
    let text = read_text(path)?;
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| Word2VecError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let f: Vec<&str> = line.split_whitespace().collect();
        let [a, b, s] = f[..] else {
            return Err(err(format!(
                "expected \"word word score\", found {} fields",
                f.len()
            )));
        };
        let score = s
            .parse()
            .map_err(|_| err(format!("score {s:?} is not a number")))?;
        pairs.push(WordPair {
            a: a.to_lowercase(),
            b: b.to_lowercase(),
            score,
        });
    }
    Ok(pairs)
}

/// Correlation of model similarities with human scores.
#[derive(Debug, Clone, Copy)]
pub struct WordSimReport {
    /// Spearman's rank correlation.
    pub spearman: f64,
    /// Pearson's correlation.
    pub pearson: f64,
    /// Pairs with both words known.
    pub used: usize,
    /// Pairs skipped for an unknown word.
    pub skipped: usize,
}

/// Compares cosine similarities among the `restrict` most frequent words with human scores.
pub fn evaluate_word_pairs(
    kv: &KeyedVectors,
    pairs: &[WordPair],
    restrict: usize,
) -> WordSimReport {
    let view = kv.restrict(restrict);
    let (mut human, mut model) = (Vec::new(), Vec::new());
    for p in pairs {
        if let Ok(s) = view.similarity(&p.a, &p.b) {
            human.push(p.score);
            model.push(s as f64);
        }
    }
    WordSimReport {
        spearman: spearman(&human, &model),
        pearson: pearson(&human, &model),
        used: human.len(),
        skipped: pairs.len() - human.len(),
    }
}

impl fmt::Display for WordSimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| Spearman | Pearson | pairs used | pairs skipped (unknown word) |"
        )?;
        writeln!(f, "|---:|---:|---:|---:|")?;
        writeln!(
            f,
            "| {:.4} | {:.4} | {} | {} |",
            self.spearman, self.pearson, self.used, self.skipped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(d: &tempfile::TempDir, name: &str, content: &str) -> std::path::PathBuf {
        let p = d.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn analogies_score_per_section() {
        let d = tempfile::tempdir().unwrap();
        let words = ["king", "queen", "man", "woman", "apple"]
            .map(String::from)
            .to_vec();
        #[rustfmt::skip]
        let v = vec![1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.2, 0.2];
        let kv = KeyedVectors::new(words, v, 3).unwrap();
        let p = file(
            &d,
            "q.txt",
            ": royal\nMan Woman King Queen\nman woman king apple\n: x\npear a b c\n",
        );
        let sections = read_analogies(&p).unwrap();
        let r = evaluate_analogies(&kv, &sections, 30_000, 2);
        assert_eq!((r.sections[0].correct, r.sections[0].attempted), (1, 2));
        assert_eq!((r.sections[1].attempted, r.sections[1].skipped), (0, 1));
        assert_eq!(
            (r.total.correct, r.total.attempted, r.total.skipped),
            (1, 2, 1)
        );
        assert!(r.to_string().contains("| total | 1 | 2 | 1 | 50.00% |"));
        let bad = file(&d, "bad.txt", ": s\na b c\n");
        assert!(matches!(
            read_analogies(&bad),
            Err(Word2VecError::Parse { line: 2, .. })
        ));
        let pairs = read_word_pairs(&file(
            &d,
            "p.tsv",
            "# c\nking\tqueen\t8\nman\twoman\t5\nking\tapple\t1\nx\ty\t3\n",
        ))
        .unwrap();
        let ws = evaluate_word_pairs(&kv, &pairs, 300_000);
        assert_eq!((ws.used, ws.skipped), (3, 1));
        assert!((ws.spearman - 1.0).abs() < 1e-9);
        let bad = file(&d, "bad.tsv", "a b\n");
        assert!(matches!(
            read_word_pairs(&bad),
            Err(Word2VecError::Parse { line: 1, .. })
        ));
    }
}
