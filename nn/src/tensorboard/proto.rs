//! The protobuf messages of TensorBoard's event files, written by hand with prost's derive (no
//! protoc at build time). Only the fields we write are declared; field numbers and types are
//! those of TensorFlow's `event.proto`, `summary.proto`, `tensor.proto` and
//! `tensor_shape.proto`, so a reader that skips unknown fields (prost does) reads any event file.

/// One entry of an event file (`tensorflow.Event`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    /// The training step (or epoch) the entry belongs to.
    #[prost(int64, tag = "2")]
    pub step: i64,
    /// What the entry holds.
    #[prost(oneof = "EventWhat", tags = "3, 5")]
    pub what: Option<EventWhat>,
}

/// What an [`Event`] holds.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum EventWhat {
    /// The format version, in the first entry of every file: `"brain.Event:2"`.
    #[prost(string, tag = "3")]
    FileVersion(String),
    /// Summaries (scalars, histograms, text).
    #[prost(message, tag = "5")]
    Summary(Summary),
}

/// A set of tagged values (`tensorflow.Summary`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// The values.
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<SummaryValue>,
}

/// One tagged value (`tensorflow.Summary.Value`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryValue {
    /// The name TensorBoard shows (`epoch_loss`, `dense.weight/histogram`).
    #[prost(string, tag = "1")]
    pub tag: String,
    /// Which plugin reads a tensor value, and how.
    #[prost(message, optional, tag = "9")]
    pub metadata: Option<SummaryMetadata>,
    /// The value.
    #[prost(oneof = "Value", tags = "2, 5, 8")]
    pub value: Option<Value>,
}

/// The value of a [`SummaryValue`].
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Value {
    /// A scalar (TensorBoard keeps scalars in 32 bits).
    #[prost(float, tag = "2")]
    SimpleValue(f32),
    /// A histogram.
    #[prost(message, tag = "5")]
    Histo(HistogramProto),
    /// A tensor, such as the strings of a text summary.
    #[prost(message, tag = "8")]
    Tensor(TensorProto),
}

/// Counts of values in buckets (`tensorflow.HistogramProto`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct HistogramProto {
    /// The smallest value.
    #[prost(double, tag = "1")]
    pub min: f64,
    /// The largest value.
    #[prost(double, tag = "2")]
    pub max: f64,
    /// How many values.
    #[prost(double, tag = "3")]
    pub num: f64,
    /// Their sum.
    #[prost(double, tag = "4")]
    pub sum: f64,
    /// The sum of their squares.
    #[prost(double, tag = "5")]
    pub sum_squares: f64,
    /// The right edge of each bucket (the left edge is the previous one's, or `min`).
    #[prost(double, repeated, tag = "6")]
    pub bucket_limit: Vec<f64>,
    /// The count in each bucket.
    #[prost(double, repeated, tag = "7")]
    pub bucket: Vec<f64>,
}

/// Which plugin a value is for (`tensorflow.SummaryMetadata`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryMetadata {
    /// The plugin and its data.
    #[prost(message, optional, tag = "1")]
    pub plugin_data: Option<PluginData>,
}

/// A plugin's name and its own data (`tensorflow.SummaryMetadata.PluginData`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PluginData {
    /// `"text"`, `"scalars"`, …
    #[prost(string, tag = "1")]
    pub plugin_name: String,
    /// The plugin's serialized settings (empty for the text plugin's version 0).
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
}

/// A tensor (`tensorflow.TensorProto`); only strings are written here.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// The element type (`DT_STRING` = 7).
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// The shape.
    #[prost(message, optional, tag = "2")]
    pub tensor_shape: Option<TensorShapeProto>,
    /// The strings of a `DT_STRING` tensor.
    #[prost(bytes = "vec", repeated, tag = "8")]
    pub string_val: Vec<Vec<u8>>,
}

/// TensorFlow's `DT_STRING`.
pub const DT_STRING: i32 = 7;

/// A shape (`tensorflow.TensorShapeProto`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// The dimensions, outermost first.
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<Dim>,
}

/// One dimension of a [`TensorShapeProto`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dim {
    /// Its size.
    #[prost(int64, tag = "1")]
    pub size: i64,
}
