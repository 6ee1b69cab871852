//! TensorBoard logs: training curves, weight and gradient histograms, text, and vectors for the
//! embedding projector, in TensorBoard's own formats.
//!
//! - [`TensorBoard`]: the `fit` callback, laid out as Keras's (`log_dir/train`,
//!   `log_dir/validation`, `epoch_loss`, `batch_loss`, `epoch_learning_rate`, histograms);
//! - [`SummaryWriter`]: scalars, histograms and text from a hand-written loop;
//! - [`write_projector`]: `tensors.tsv`, `metadata.tsv` and `projector_config.pbtxt`;
//! - the file format underneath: TFRecord framing with masked CRC32C ([`frame_record`],
//!   [`read_records`]) around protobuf `Event`s ([`Event`], [`Summary`], …, declared with
//!   prost's derive), read back with [`read_event_file`].
//!
//! See the logs with `pip install tensorboard` and `tensorboard --logdir DIR`.

mod callback;
mod projector;
mod proto;
mod reader;
mod record;
mod summary;
mod writer;

pub use callback::{TensorBoard, UpdateFreq};
pub use projector::write_projector;
pub use proto::{
    DT_STRING, Dim, Event, EventWhat, HistogramProto, PluginData, Summary, SummaryMetadata,
    SummaryValue, TensorProto, TensorShapeProto, Value,
};
pub use reader::{ReadError, read_event_file};
pub use record::{CorruptRecord, Records, frame_record, masked_crc32c, read_records};
pub use summary::{HISTOGRAM_BUCKETS, histogram, histogram_summary, scalar_summary, text_summary};
pub use writer::{SummaryWriter, WriteError};
