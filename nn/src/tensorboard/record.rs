//! TFRecord framing, the container of TensorBoard's event files: each record is its length
//! (u64, little-endian), the masked CRC32C of those 8 bytes, the data, and the masked CRC32C of
//! the data. A reader stops at a record cut short, so a crash mid-write loses only that record.

/// TensorFlow's CRC mask: rotate right by 15 bits and add a constant, so that a CRC stored
/// inside CRC-checked data does not check itself.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Appends one record holding `data` to `out`.
pub fn frame_record(data: &[u8], out: &mut Vec<u8>) {
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
}

/// A record whose length or data does not match its CRC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt record at byte {offset}: the {what} does not match its CRC32C")]
pub struct CorruptRecord {
    /// Where the record starts in the file.
    pub offset: usize,
    /// `"length"` or `"data"`.
    pub what: &'static str,
}

/// The complete records of an event file's bytes, and how many bytes at the end belong to a
/// record cut short (a crash while writing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records<'a> {
    /// The data of every complete record, in order.
    pub records: Vec<&'a [u8]>,
    /// Bytes after the last complete record (0 for a file closed cleanly).
    pub incomplete_tail: usize,
}

/// Splits `bytes` into records, checking both CRCs of each; a record cut short at the end is
/// left out and counted in [`Records::incomplete_tail`].
///
/// ```
/// use nn::tensorboard::{frame_record, read_records};
/// let mut file = Vec::new();
/// frame_record(b"first", &mut file);
/// frame_record(b"second", &mut file);
/// let cut = &file[..file.len() - 3]; // a crash in the middle of the second record
/// let read = read_records(cut).unwrap();
/// assert_eq!(read.records, [b"first".as_slice()]);
/// assert_eq!(read.incomplete_tail, 8 + 4 + 6 + 4 - 3);
/// ```
pub fn read_records(bytes: &[u8]) -> Result<Records<'_>, CorruptRecord> {
    let mut records = Vec::new();
    let mut at = 0;
    while bytes.len() - at >= 12 {
        let len_bytes = &bytes[at..at + 8];
        if masked_crc32c(len_bytes) != u32_at(bytes, at + 8) {
            return Err(CorruptRecord {
                offset: at,
                what: "length",
            });
        }
        let len = u64::from_le_bytes(len_bytes.try_into().expect("8 bytes"));
        let data_start = at + 12;
        let remaining = (bytes.len() - data_start) as u64;
        if remaining < len.saturating_add(4) {
            break;
        }
        let data = &bytes[data_start..data_start + len as usize];
        if masked_crc32c(data) != u32_at(bytes, data_start + data.len()) {
            return Err(CorruptRecord {
                offset: at,
                what: "data",
            });
        }
        records.push(data);
        at = data_start + data.len() + 4;
    }
    Ok(Records {
        records,
        incomplete_tail: bytes.len() - at,
    })
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_of_the_standard_check_string() {
        // CRC-32C("123456789") = 0xE3069283 (RFC 3720's check value).
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        // Rotated right by 15 (0x2507c60d) plus 0xa282ead8, worked out by hand in Python.
        assert_eq!(masked_crc32c(b"123456789"), 0xc78a_b0e5);
    }

    #[test]
    fn every_cut_keeps_the_complete_records_and_a_flipped_bit_is_caught() {
        let mut file = Vec::new();
        let payloads: [&[u8]; 3] = [b"a", b"", b"three bytes and more"];
        for p in payloads {
            frame_record(p, &mut file);
        }
        let ends: Vec<usize> = payloads
            .iter()
            .scan(0, |end, p| {
                *end += 16 + p.len();
                Some(*end)
            })
            .collect();
        for cut in 0..=file.len() {
            let read = read_records(&file[..cut]).unwrap();
            let complete = ends.iter().filter(|&&e| e <= cut).count();
            assert_eq!(read.records, payloads[..complete], "cut at {cut}");
            let kept = if complete == 0 { 0 } else { ends[complete - 1] };
            assert_eq!(read.incomplete_tail, cut - kept);
        }
        let mut flipped = file.clone();
        flipped[ends[0] + 12] ^= 1; // the second record's data is empty: this is its CRC
        assert_eq!(
            read_records(&flipped).unwrap_err(),
            CorruptRecord {
                offset: ends[0],
                what: "data"
            }
        );
        let mut flipped = file;
        flipped[3] ^= 1;
        assert_eq!(read_records(&flipped).unwrap_err().what, "length");
    }
}
