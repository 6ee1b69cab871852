//! The Huffman tree of hierarchical softmax, built as the original tool's `CreateBinaryTree` does.
//!
//! Each word is a leaf; its path from the root visits inner nodes `points` (indices into the
//! `V - 1` rows of `syn1`) and takes the branches `codes` (0 or 1). Frequent words get short paths,
//! so the expected cost per word is about the entropy of the unigram distribution.

/// Codes and inner-node paths of every word, stored flat.
#[derive(Debug, Clone)]
pub struct HuffmanTree {
    offsets: Vec<usize>,
    codes: Vec<u8>,
    points: Vec<u32>,
}

impl HuffmanTree {
    /// Builds the tree from counts sorted in decreasing order (as a [`super::Vocab`] keeps them).
    pub fn new(counts: &[u64]) -> Self {
        let v = counts.len();
        if v < 2 {
            // One word needs no decision: its path is empty.
            return HuffmanTree {
                offsets: vec![0; v + 1],
                codes: Vec::new(),
                points: Vec::new(),
            };
        }
        let mut count = vec![u64::MAX; 2 * v - 1];
        count[..v].copy_from_slice(counts);
        let mut parent = vec![0usize; 2 * v - 1];
        let mut binary = vec![0u8; 2 * v - 1];
        // Two queues: leaves from the rarest up (pos1 falling), inner nodes in creation order.
        let mut pos1 = v as isize - 1;
        let mut pos2 = v;
        for a in 0..v - 1 {
            let mut pick = || {
                if pos1 >= 0 && count[pos1 as usize] < count[pos2] {
                    pos1 -= 1;
                    (pos1 + 1) as usize
                } else {
                    pos2 += 1;
                    pos2 - 1
                }
            };
            let min1 = pick();
            let min2 = pick();
            count[v + a] = count[min1].saturating_add(count[min2]);
            parent[min1] = v + a;
            parent[min2] = v + a;
            binary[min2] = 1;
        }
        let root = 2 * v - 2;
        let mut offsets = Vec::with_capacity(v + 1);
        let mut codes = Vec::new();
        let mut points = Vec::new();
        let mut path = Vec::new();
        offsets.push(0);
        for w in 0..v {
            path.clear();
            let mut node = w;
            while node != root {
                path.push((binary[node], parent[node]));
                node = parent[node];
            }
            // Root first: the branch taken at each inner node, inner nodes numbered from 0.
            for &(code, inner) in path.iter().rev() {
                codes.push(code);
                points.push((inner - v) as u32);
            }
            offsets.push(codes.len());
        }
        HuffmanTree {
            offsets,
            codes,
            points,
        }
    }

    /// The branches (`codes`) and inner nodes (`points`) on word `w`'s path, root first.
    #[inline]
    pub fn path(&self, w: usize) -> (&[u8], &[u32]) {
        let (a, b) = (self.offsets[w], self.offsets[w + 1]);
        (&self.codes[a..b], &self.points[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_built_tree() {
        // Counts 4 3 2 1: merge 2+1 -> n0 (3), then n0+3 -> n1 (6), then 4+n1 -> n2 (10, root).
        // Inner nodes are numbered n0 = 0, n1 = 1, n2 = 2; the second-picked child gets code 1.
        let t = HuffmanTree::new(&[4, 3, 2, 1]);
        assert_eq!(t.path(0), (&[0u8][..], &[2u32][..]));
        assert_eq!(t.path(1), (&[1u8, 1][..], &[2u32, 1][..]));
        assert_eq!(t.path(2), (&[1u8, 0, 1][..], &[2u32, 1, 0][..]));
        assert_eq!(t.path(3), (&[1u8, 0, 0][..], &[2u32, 1, 0][..]));
    }

    #[test]
    fn equal_counts_give_balanced_codes_and_single_word_is_empty() {
        let t = HuffmanTree::new(&[1, 1, 1, 1]);
        for w in 0..4 {
            assert_eq!(t.path(w).0.len(), 2);
        }
        let codes: std::collections::HashSet<_> = (0..4).map(|w| t.path(w).0.to_vec()).collect();
        assert_eq!(codes.len(), 4);
        assert_eq!(HuffmanTree::new(&[7]).path(0).0.len(), 0);
    }
}
