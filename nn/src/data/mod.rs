//! Data loading and preprocessing: [`load_csv`] with typed errors, vectorization (one-hot,
//! multi-hot, a top-N [`Tokenizer`]), normalization fitted on training data only
//! ([`Standardizer`], [`MinMaxScaler`]), missing values ([`Imputer`], [`augment_missing`]),
//! splits and batches; [`SparseRows`], the compressed form of multi-hot rows; [`TokenIds`],
//! batches of token ids; the IDX reader of MNIST's files ([`load_idx`]); seeded image augmentation
//! ([`ImageAugmentation`]); each process's share of an epoch in data-parallel training
//! ([`DistributedSampler`]).

mod augment;
mod csv;
mod distributed_sampler;
mod idx;
mod impute;
mod normalize;
mod sparse;
mod split;
mod token_ids;
mod vectorize;

pub use self::csv::{CsvOptions, DataError, Table, load_csv};
pub use augment::{FillMode, ImageAugmentation, ImageTransform};
pub use distributed_sampler::{DistributedSampler, UnevenTail, shard};
pub use idx::{IdxError, IdxImages, load_idx, read_idx_images, read_idx_labels};
pub use impute::{Imputer, Strategy, augment_missing};
pub use normalize::{MinMaxScaler, Standardizer};
pub use sparse::SparseRows;
pub use split::{Batches, Split, train_val_test_split};
pub use token_ids::TokenIds;
pub use vectorize::{Tokenizer, multi_hot, multi_hot_sparse, one_hot};
