//! Building the summaries TensorBoard's plugins read: a scalar, a histogram of values, a text.

use super::proto::{
    DT_STRING, Dim, HistogramProto, PluginData, Summary, SummaryMetadata, SummaryValue,
    TensorProto, TensorShapeProto, Value,
};

/// Buckets of a histogram: TensorFlow 2's default count.
pub const HISTOGRAM_BUCKETS: usize = 30;

/// A scalar under `tag` (stored in 32 bits, as TensorBoard keeps scalars).
pub fn scalar_summary(tag: &str, value: f64) -> Summary {
    one_value(tag, None, Value::SimpleValue(value as f32))
}

/// A histogram of `values` under `tag`: [`HISTOGRAM_BUCKETS`] buckets of equal width from the
/// smallest to the largest finite value. Non-finite values are left out of every field.
///
/// ```
/// use nn::tensorboard::{Value, histogram_summary};
/// let s = histogram_summary("w", &[1.0, 2.0, 2.0, f64::NAN]);
/// let Some(Value::Histo(h)) = &s.value[0].value else { unreachable!() };
/// assert_eq!((h.num, h.min, h.max, h.sum, h.sum_squares), (3.0, 1.0, 2.0, 5.0, 9.0));
/// assert_eq!(h.bucket.iter().sum::<f64>(), 3.0);
/// ```
pub fn histogram_summary(tag: &str, values: &[f64]) -> Summary {
    one_value(tag, None, Value::Histo(histogram(values)))
}

/// `values` counted into [`HISTOGRAM_BUCKETS`] equal buckets between their extremes (one bucket
/// when they are all equal, none when there are none).
pub fn histogram(values: &[f64]) -> HistogramProto {
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let (mut min, mut max, mut num, mut sum, mut sum_squares) =
        (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0.0, 0.0);
    for v in finite() {
        min = min.min(v);
        max = max.max(v);
        num += 1.0;
        sum += v;
        sum_squares += v * v;
    }
    if num == 0.0 {
        return HistogramProto::default();
    }
    let buckets = if max > min { HISTOGRAM_BUCKETS } else { 1 };
    let width = (max - min) / buckets as f64;
    let mut bucket = vec![0.0; buckets];
    for v in finite() {
        let i = if width > 0.0 {
            (((v - min) / width) as usize).min(buckets - 1)
        } else {
            0
        };
        bucket[i] += 1.0;
    }
    let bucket_limit = (1..=buckets)
        .map(|i| {
            if i == buckets {
                max
            } else {
                min + width * i as f64
            }
        })
        .collect();
    HistogramProto {
        min,
        max,
        num,
        sum,
        sum_squares,
        bucket_limit,
        bucket,
    }
}

/// `text` under `tag` for TensorBoard's text plugin (Markdown is rendered).
pub fn text_summary(tag: &str, text: &str) -> Summary {
    let metadata = SummaryMetadata {
        plugin_data: Some(PluginData {
            plugin_name: "text".into(),
            content: Vec::new(),
        }),
    };
    let tensor = TensorProto {
        dtype: DT_STRING,
        tensor_shape: Some(TensorShapeProto {
            dim: vec![Dim { size: 1 }],
        }),
        string_val: vec![text.as_bytes().to_vec()],
    };
    one_value(tag, Some(metadata), Value::Tensor(tensor))
}

fn one_value(tag: &str, metadata: Option<SummaryMetadata>, value: Value) -> Summary {
    Summary {
        value: vec![SummaryValue {
            tag: tag.into(),
            metadata,
            value: Some(value),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_once_and_end_at_the_maximum() {
        let values: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 - 50.0).collect();
        let h = histogram(&values);
        assert_eq!(h.bucket.len(), HISTOGRAM_BUCKETS);
        assert_eq!(h.bucket.iter().sum::<f64>(), 1000.0);
        assert_eq!((h.min, h.max), (-50.0, 50.0));
        assert_eq!(*h.bucket_limit.last().unwrap(), 50.0);
        assert!(h.bucket_limit.windows(2).all(|w| w[0] < w[1]));
        // Every value lies in its bucket: above the previous limit (or min), at most its own.
        let left = |i: usize| if i == 0 { h.min } else { h.bucket_limit[i - 1] };
        for i in 0..HISTOGRAM_BUCKETS {
            let inside = values
                .iter()
                .filter(|&&v| v >= left(i) && (v < h.bucket_limit[i] || i == HISTOGRAM_BUCKETS - 1))
                .count();
            assert_eq!(inside as f64, h.bucket[i], "bucket {i}");
        }
    }

    #[test]
    fn equal_values_make_one_bucket_and_no_values_none() {
        let h = histogram(&[0.5; 4]);
        assert_eq!(
            (h.bucket.clone(), h.bucket_limit.clone()),
            (vec![4.0], vec![0.5])
        );
        assert_eq!(histogram(&[]).num, 0.0);
    }
}
