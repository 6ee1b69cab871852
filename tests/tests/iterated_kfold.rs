//! Iterated K-fold validation with shuffling, against its definition (Deep Learning with Python,
//! §4.2.1): P rounds of K-fold, the rows shuffled before each round; every row is validated on
//! exactly once per round; the score is the mean of the P × K validation histories.

use autodiff_core::Tensor;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Fold, IteratedKFold, KFold, KFoldError, Model, Validation};
use nn::{Activation, Dense, Sequential};

fn iterated(k: usize, iterations: usize, seed: u64) -> IteratedKFold {
    IteratedKFold {
        k,
        iterations,
        seed,
    }
}

/// Each fold's validation rows, sorted: what a round's partition is, whatever the fold order.
fn partition(folds: &[Fold]) -> Vec<Vec<usize>> {
    let mut parts: Vec<Vec<usize>> = folds
        .iter()
        .map(|(_, val)| {
            let mut v = val.clone();
            v.sort();
            v
        })
        .collect();
    parts.sort();
    parts
}

#[test]
fn every_row_is_validated_on_exactly_once_per_round() {
    let n = 23;
    let rounds = iterated(4, 5, 11).splits(n).unwrap();
    assert_eq!(rounds.len(), 5);
    for folds in &rounds {
        assert_eq!(folds.len(), 4);
        let mut held_out: Vec<usize> = folds.iter().flat_map(|(_, v)| v.clone()).collect();
        held_out.sort();
        assert_eq!(held_out, (0..n).collect::<Vec<_>>());
        for (train, val) in folds {
            // 23 = 6 + 6 + 6 + 5, and a fold trains on every row it does not validate on.
            assert!(val.len() == 6 || val.len() == 5, "{}", val.len());
            let mut all: Vec<usize> = train.iter().chain(val).copied().collect();
            all.sort();
            assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
    }
}

#[test]
fn each_round_partitions_the_rows_afresh() {
    let rounds = iterated(3, 4, 2).splits(30).unwrap();
    for a in 0..rounds.len() {
        for b in a + 1..rounds.len() {
            assert_ne!(
                partition(&rounds[a]),
                partition(&rounds[b]),
                "rounds {a} and {b} hold out the same groups of rows"
            );
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_rounds_and_another_seed_others() {
    let rounds = iterated(4, 3, 9).splits(40).unwrap();
    assert_eq!(rounds, iterated(4, 3, 9).splits(40).unwrap());
    assert_ne!(rounds, iterated(4, 3, 10).splits(40).unwrap());
    // One round is a plain shuffled K-fold with the same seed.
    let kfold = KFold {
        k: 4,
        shuffle: true,
        seed: 9,
    };
    assert_eq!(rounds[0], kfold.splits(40).unwrap());
}

#[test]
fn bad_fold_counts_are_typed_errors() {
    assert_eq!(
        iterated(1, 3, 0).splits(10),
        Err(KFoldError::TooFewFolds { k: 1, n: 10 })
    );
    assert_eq!(
        iterated(11, 3, 0).splits(10),
        Err(KFoldError::MoreFoldsThanRows { k: 11, n: 10 })
    );
    assert_eq!(iterated(2, 0, 0).splits(10), Ok(vec![]));
}

fn model(seed: u64) -> Model<f32, Sequential<f32>> {
    let net = Sequential::new()
        .add(Dense::new(3, 8).activation(Activation::Tanh).seed(seed))
        .add(Dense::new(8, 1).seed(seed + 100));
    Model::new(
        net,
        Loss::MeanSquaredError,
        Optimizer::sgd(0.05),
        vec![Metric::mae("mae")],
    )
}

#[test]
fn cross_validation_trains_every_fold_of_every_round_and_averages_them_all() {
    let x = Tensor::<f32>::normal([60, 3], 0.0, 1.0, 4);
    let y = Tensor::from_fn([60, 1], |i| 2.0 * x.get(&[i, 0]) - x.get(&[i, 2]) + 0.5);
    let cv_options = FitOptions {
        epochs: 3,
        batch_size: 8,
        verbose: false,
        ..FitOptions::default()
    };
    let scheme = iterated(3, 2, 5);
    let mut built = Vec::new();
    let cv = scheme
        .cross_validate(
            &x,
            &y,
            |i| {
                built.push(i);
                model(i as u64)
            },
            &cv_options,
        )
        .unwrap();
    assert_eq!(built, [0, 1, 2, 3, 4, 5]);
    assert_eq!(cv.folds.len(), 6);

    // Fold i is round i / 3's fold i % 3: trained on its rows, validated on its held-out rows.
    let rounds = scheme.splits(60).unwrap();
    for (i, history) in cv.folds.iter().enumerate() {
        let (train, val) = &rounds[i / 3][i % 3];
        let (vx, vy) = (x.index_select(0, val), y.index_select(0, val));
        let options = FitOptions {
            validation: Validation::Data(&vx, &vy),
            ..cv_options.clone()
        };
        let alone = model(i as u64)
            .fit(
                &x.index_select(0, train),
                &y.index_select(0, train),
                &options,
                &mut [],
            )
            .unwrap();
        assert_eq!(history, &alone, "fold {i}");
    }

    // The score: the mean of all six validation histories, epoch by epoch.
    for epoch in 0..3 {
        let mean = cv
            .folds
            .iter()
            .map(|h| h.get("val_mae").unwrap()[epoch])
            .sum::<f64>()
            / 6.0;
        let got = cv.mean.get("val_mae").unwrap()[epoch];
        assert!((got - mean).abs() < 1e-12, "epoch {epoch}: {got} vs {mean}");
    }
}
