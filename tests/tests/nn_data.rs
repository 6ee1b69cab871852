//! The shipped data sets load with the shapes their READMEs give, and preprocessing fitted on
//! training rows leaves the test rows' statistics alone.

use std::path::PathBuf;

use nn::data::{CsvOptions, DataError, Standardizer, load_csv, train_val_test_split};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data/tabular")
        .join(name)
}

#[test]
fn shipped_tables_have_their_documented_shapes() {
    let boston = load_csv(
        data("boston_house_prices.csv"),
        &CsvOptions {
            header: true,
            ..CsvOptions::default()
        },
    )
    .unwrap();
    assert_eq!((boston.rows, boston.cols), (506, 14));
    assert_eq!(boston.columns.as_ref().unwrap()[13], "MEDV");
    let cancer = load_csv(
        data("breast_cancer.csv"),
        &CsvOptions {
            skip_lines: 1,
            ..CsvOptions::default()
        },
    )
    .unwrap();
    assert_eq!((cancer.rows, cancer.cols), (569, 31));
    let digits = load_csv(data("digits.csv.gz"), &CsvOptions::default()).unwrap();
    assert_eq!((digits.rows, digits.cols), (1797, 65));
    // reading the counts line as data fails on its class names, at line 1, column 3
    let err = load_csv(data("breast_cancer.csv"), &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Parse {
                line: 1,
                column: 3,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn standardization_is_fitted_on_training_rows_only() {
    let boston = load_csv(
        data("boston_house_prices.csv"),
        &CsvOptions {
            header: true,
            ..CsvOptions::default()
        },
    )
    .unwrap();
    let (x, _) = boston.features_and_target::<f64>();
    let split = train_val_test_split(boston.rows, 0.0, 0.2, Some(1));
    let (train, test) = (
        x.index_select(0, &split.train),
        x.index_select(0, &split.test),
    );
    let scaler = Standardizer::fit(&train);
    let col_mean = |t: &autodiff_core::Tensor<f64>| t.mean_axis(0, false).into_vec();
    assert!(
        col_mean(&scaler.transform(&train))
            .iter()
            .all(|m| m.abs() < 1e-9)
    );
    // the test rows are shifted by the training mean, so their mean is not exactly 0
    assert!(
        col_mean(&scaler.transform(&test))
            .iter()
            .any(|m| m.abs() > 1e-3)
    );
    assert_eq!(scaler, Standardizer::fit(&train));
    assert_ne!(scaler, Standardizer::fit(&x));
}
