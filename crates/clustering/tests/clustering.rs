//! Behaviour of the asset clustering: what it finds, what stays stable, and how it treats odd input.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use twinpipe_clustering::{AssetHistory, ClusterModel, ClusteringError, FeatureSpec, KChoice, Method};

const AUTO: Method = Method::KMeans { k: KChoice::Silhouette { min: 2, max: 6 }, seed: 7 };

/// `per_blob` assets around each centre, with a little seeded noise; ids say which blob they came from.
fn blobs(centres: &[[f64; 2]], per_blob: usize, seed: u64) -> Vec<(String, Vec<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::new();
    for (b, c) in centres.iter().enumerate() {
        for i in 0..per_blob {
            let jitter = |rng: &mut ChaCha8Rng| rng.random_range(-0.5..0.5);
            rows.push((
                format!("blob{b}-asset{i:02}"),
                vec![c[0] + jitter(&mut rng), c[1] + jitter(&mut rng)],
            ));
        }
    }
    rows
}

fn names() -> Vec<String> {
    vec!["x".into(), "y".into()]
}

const CENTRES: [[f64; 2]; 3] = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]];

fn blob_of(asset: &str) -> &str {
    &asset[..5]
}

#[test]
fn well_separated_blobs_are_recovered_with_the_right_k() {
    let model = ClusterModel::fit_features(names(), blobs(&CENTRES, 8, 1), AUTO, None).unwrap();
    assert_eq!(model.cluster_ids(), vec![0, 1, 2]);
    let summary = model.summary();
    assert_eq!(summary.clusters, 3);
    assert!(summary.silhouette.unwrap() > 0.8, "{summary:?}");
    let best_other = summary.k_scores.iter().filter(|(k, _)| *k != 3).map(|s| s.1).fold(f64::MIN, f64::max);
    assert!(summary.silhouette.unwrap() > best_other);
    for (asset, cluster) in model.assignments() {
        for (other, other_cluster) in model.assignments() {
            assert_eq!(blob_of(asset) == blob_of(other), cluster == other_cluster, "{asset} vs {other}");
        }
    }
}

#[test]
fn first_fit_numbers_clusters_by_their_first_asset_in_id_order() {
    let model = ClusterModel::fit_features(names(), blobs(&CENTRES, 5, 2), AUTO, None).unwrap();
    assert_eq!(model.cluster_of("blob0-asset00"), Some(0));
    assert_eq!(model.cluster_of("blob1-asset00"), Some(1));
    assert_eq!(model.cluster_of("blob2-asset00"), Some(2));
}

#[test]
fn a_refit_on_new_data_keeps_each_groups_id_even_when_discovery_order_changes() {
    let first = ClusterModel::fit_features(names(), blobs(&CENTRES, 6, 3), AUTO, None).unwrap();
    // Next month: the same groups, re-measured, with ids that now sort the blobs in another order.
    let renamed: Vec<(String, Vec<f64>)> = blobs(&CENTRES, 6, 4)
        .into_iter()
        .map(|(id, f)| (id.replace("blob0", "zeta0").replace("blob2", "alfa2"), f))
        .collect();
    let fresh = ClusterModel::fit_features(names(), renamed.clone(), AUTO, None).unwrap();
    let refit = ClusterModel::fit_features(names(), renamed, AUTO, Some(&first)).unwrap();
    // Without the previous model the numbering follows id order, so it changes...
    assert_eq!(fresh.cluster_of("alfa2-asset00"), Some(0));
    // ...with it, every group keeps the id it had.
    assert_eq!(refit.cluster_of("zeta0-asset00"), first.cluster_of("blob0-asset00"));
    assert_eq!(refit.cluster_of("blob1-asset03"), first.cluster_of("blob1-asset03"));
    assert_eq!(refit.cluster_of("alfa2-asset05"), first.cluster_of("blob2-asset05"));
}

#[test]
fn a_new_group_gets_an_id_never_used_before() {
    // Two groups on a diagonal (so neither feature is pure noise once standardised), then a third.
    let (a, b, c) = ([0.0, 0.0], [10.0, 10.0], [10.0, 0.0]);
    let first = ClusterModel::fit_features(names(), blobs(&[a, b], 6, 5), AUTO, None).unwrap();
    assert_eq!(first.cluster_ids(), vec![0, 1]);
    let refit = ClusterModel::fit_features(names(), blobs(&[a, b, c], 6, 6), AUTO, Some(&first)).unwrap();
    assert_eq!(refit.cluster_ids(), vec![0, 1, 2]);
    assert_eq!(refit.cluster_of("blob0-asset00"), first.cluster_of("blob0-asset00"));
    assert_eq!(refit.cluster_of("blob1-asset00"), first.cluster_of("blob1-asset00"));
    assert_eq!(refit.cluster_of("blob2-asset00"), Some(2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn input_order_never_changes_the_result(seed in 0u64..1000, shuffle_seed in 0u64..1000) {
        let rows = blobs(&CENTRES, 5, seed);
        let mut shuffled = rows.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(shuffle_seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.random_range(0..=i));
        }
        let a = ClusterModel::fit_features(names(), rows, AUTO, None).unwrap();
        let b = ClusterModel::fit_features(names(), shuffled, AUTO, None).unwrap();
        prop_assert_eq!(a.to_bytes(), b.to_bytes());
    }
}

#[test]
fn dbscan_leaves_an_isolated_asset_as_noise() {
    let mut rows = blobs(&[[0.0, 0.0], [10.0, 10.0]], 6, 8);
    rows.push(("lonely".into(), vec![0.0, 10.0]));
    let model =
        ClusterModel::fit_features(names(), rows, Method::Dbscan { eps: 0.5, min_points: 3 }, None).unwrap();
    assert_eq!(model.cluster_of("lonely"), None);
    assert_eq!(model.summary().noise, 1);
    assert_eq!(model.cluster_ids(), vec![0, 1]);
    assert_eq!(model.cluster_of("blob0-asset03"), Some(0));
    assert_eq!(model.cluster_of("blob1-asset03"), Some(1));
}

#[test]
fn new_assets_are_assigned_to_the_nearest_group_or_noise() {
    let rows = blobs(&CENTRES, 6, 9);
    let kmeans = ClusterModel::fit_features(names(), rows.clone(), AUTO, None).unwrap();
    assert_eq!(kmeans.assign(&[9.7, 0.4]).unwrap(), kmeans.cluster_of("blob1-asset00"));
    let dbscan =
        ClusterModel::fit_features(names(), rows, Method::Dbscan { eps: 0.4, min_points: 3 }, None).unwrap();
    assert_eq!(dbscan.assign(&[0.1, 9.9]).unwrap(), dbscan.cluster_of("blob2-asset00"));
    assert_eq!(dbscan.assign(&[50.0, 50.0]).unwrap(), None);
    assert!(matches!(kmeans.assign(&[1.0]), Err(ClusteringError::BadInput(_))));
}

#[test]
fn degenerate_inputs_give_one_cluster_or_a_clear_error() {
    let one = ClusterModel::fit_features(names(), vec![("only".into(), vec![1.0, 2.0])], AUTO, None).unwrap();
    assert_eq!(one.cluster_of("only"), Some(0));
    assert_eq!(one.summary().silhouette, None);

    let same: Vec<(String, Vec<f64>)> = (0..5).map(|i| (format!("twin{i}"), vec![3.0, 3.0])).collect();
    let fixed = Method::KMeans { k: KChoice::Fixed(3), seed: 1 };
    for method in [AUTO, fixed] {
        let m = ClusterModel::fit_features(names(), same.clone(), method, None).unwrap();
        assert_eq!(m.cluster_ids(), vec![0], "{method:?}");
        assert!(m.assignments().iter().all(|(_, c)| *c == Some(0)));
    }

    let err = ClusterModel::fit_features(names(), Vec::new(), AUTO, None).unwrap_err();
    assert!(err.to_string().contains("0 assets"), "{err}");
    let two = blobs(&CENTRES[..1], 2, 1);
    let err =
        ClusterModel::fit_features(names(), two, Method::KMeans { k: KChoice::Fixed(3), seed: 1 }, None)
            .unwrap_err();
    assert!(err.to_string().contains("k = 3"), "{err}");
    let dup = vec![("a".into(), vec![1.0, 1.0]), ("a".into(), vec![2.0, 2.0])];
    assert!(matches!(
        ClusterModel::fit_features(names(), dup, AUTO, None),
        Err(ClusteringError::DuplicateAsset(_))
    ));
}

#[test]
fn artefact_bytes_are_reproducible_and_round_trip() {
    let a = ClusterModel::fit_features(names(), blobs(&CENTRES, 5, 10), AUTO, None).unwrap();
    let b = ClusterModel::fit_features(names(), blobs(&CENTRES, 5, 10), AUTO, None).unwrap();
    let bytes = a.to_bytes();
    assert_eq!(bytes, b.to_bytes());
    assert_eq!(ClusterModel::from_bytes(&bytes).unwrap(), a);

    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    assert!(ClusterModel::from_bytes(&flipped).unwrap_err().to_string().contains("checksum"));
    assert!(ClusterModel::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(
        ClusterModel::from_bytes(b"not a model at all, just some bytes here")
            .unwrap_err()
            .to_string()
            .contains("magic")
    );
    let mut future = bytes;
    future[8] = 9;
    assert!(ClusterModel::from_bytes(&future).unwrap_err().to_string().contains("version 9"));
}

/// A pump that cycles once a day, a fan that hums at a fast period, and noisy flat sensors.
fn history(id: &str, kind: usize, seed: u64) -> AssetHistory {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values: Vec<f64> = (0..96 * 5)
        .map(|i| {
            let t = i as f64 * std::f64::consts::TAU / 96.0;
            let noise = rng.random_range(-0.1..0.1);
            match kind {
                0 => 50.0 + 10.0 * t.sin() + noise,
                1 => 50.0 + 10.0 * (t * 20.0).sin() + noise,
                _ => 80.0 + noise * 5.0,
            }
        })
        .collect();
    AssetHistory { asset_id: id.into(), sensors: vec![("temp".into(), values)] }
}

#[test]
fn assets_with_different_daily_behaviour_fall_into_different_clusters() {
    let spec = FeatureSpec { rows_per_day: 96, bands: 4 };
    let histories: Vec<AssetHistory> =
        (0..12).map(|i| history(&format!("asset-{i:02}-kind{}", i % 3), i % 3, i as u64)).collect();
    let model = ClusterModel::fit(&histories, &spec, AUTO, None).unwrap();
    assert_eq!(model.summary().clusters, 3);
    assert_eq!(model.feature_names().len(), 9);
    for (asset, cluster) in model.assignments() {
        let kind = &asset[asset.len() - 5..];
        let same_kind = model.assignments().into_iter().filter(|(a, _)| a.ends_with(kind)).map(|(_, c)| c);
        assert!(same_kind.into_iter().all(|c| c == cluster), "{asset}");
    }
}

#[test]
fn assets_must_report_the_same_sensors() {
    let spec = FeatureSpec { rows_per_day: 96, bands: 4 };
    let mut odd = history("b", 0, 2);
    odd.sensors[0].0 = "pressure".into();
    let err = ClusterModel::fit(&[history("a", 0, 1), odd], &spec, AUTO, None).unwrap_err();
    assert!(err.to_string().contains("\"b\"") && err.to_string().contains("pressure"), "{err}");
}
