//! Shared code of the runnable examples (where data and outputs live, the readers of their own
//! data files), and the benchmark workloads the workspace's bench example calls.

mod char_corpus;
pub mod cli;
mod digest;
mod digit_images;
mod multi_hot_mlp;
mod reviews;
mod tensorboard_logs;
pub mod workloads;

pub use char_corpus::{CharCorpus, CharCorpusError};
pub use digest::{Digest, take_flag as take_digest_flag};
pub use digit_images::{
    DigitImages, ExampleArgs, digit_augmentation, example_args, load_digit_images,
    load_digit_images_sized, train_and_report, upscale,
};
pub use multi_hot_mlp::MultiHotMlp;
pub use reviews::{Reviews, ReviewsError, read_acl_part, read_labelled_sentences};
pub use tensorboard_logs::fit_logged;

use std::path::{Path, PathBuf};

/// The shipped data folder, `examples/data/`.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Where an example writes its plots: `target/example-output/NAME/` at the workspace root.
pub fn output_dir(example: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    root.join("target/example-output").join(example)
}
