#include <torch/torch.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>

#include "synthgen/core/error.h"
#include "synthgen/io/npy.h"
#include "synthgen/metrics/frechet.h"
#include "synthgen/metrics/image_quality.h"
#include "synthgen/metrics/inception_score.h"
#include "synthgen/metrics/kid.h"
#include "synthgen/metrics/precision_recall.h"

using Catch::Contains;
using synthgen::RuntimeError;
using namespace synthgen::metrics;

namespace {

// An input written by tests/fixtures/make_metric_fixtures.py.
torch::Tensor fixture(const std::string& name) {
  return synthgen::io::read_npy(std::string(SYNTHGEN_FIXTURE_DIR) + "/metrics/" + name + ".npy");
}

// A reference value from the fixture's expected.txt ("name value" lines, exact float64 reprs).
double expected(const std::string& name) {
  static const std::map<std::string, double> values = [] {
    std::map<std::string, double> read;
    std::ifstream in(std::string(SYNTHGEN_FIXTURE_DIR) + "/metrics/expected.txt");
    std::string key, value;
    while (in >> key >> value) read[key] = std::stod(value);
    return read;
  }();
  const auto found = values.find(name);
  if (found == values.end()) FAIL("no reference value '" << name << "' in expected.txt");
  return found->second;
}

// ||a - b||_F / ||b||_F.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).norm().item<double>() / b.norm().item<double>();
}

// Draws from a private generator, leaving the global torch RNG alone.
torch::Tensor gaussian(std::vector<std::int64_t> shape, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return at::normal(0.0, 1.0, shape, generator, torch::kFloat64);
}

}  // namespace

// ---- Fréchet distance ---------------------------------------------------------------------------

TEST_CASE("feature_stats gives np.mean and the unbiased np.cov(rowvar=False)", "[metrics]") {
  const FeatureStats stats = feature_stats(fixture("fid_well_a"));
  CHECK(stats.count == 500);
  CHECK(stats.mean.scalar_type() == torch::kFloat64);
  CHECK(relative_error(stats.mean, fixture("fid_well_a_mean")) < 1e-12);
  CHECK(relative_error(stats.cov, fixture("fid_well_a_cov")) < 1e-10);
}

TEST_CASE("feature statistics keep their precision under a large common offset", "[metrics]") {
  const FeatureStats stats = feature_stats(fixture("stats_offset"));
  CHECK(relative_error(stats.mean, fixture("stats_offset_mean")) < 1e-12);
  CHECK(relative_error(stats.cov, fixture("stats_offset_cov")) < 1e-10);
}

TEST_CASE("accumulating features in batches gives the statistics of the whole set", "[metrics]") {
  const torch::Tensor features = fixture("fid_well_a");
  const FeatureStats whole = feature_stats(features);
  FeatureStatsAccumulator accumulator;
  accumulator.add(features.slice(0, 0, 0));  // an empty batch changes nothing
  accumulator.add(features.slice(0, 0, 1));  // a single row first: the shift is that row
  accumulator.add(features.slice(0, 1, 130));
  accumulator.add(features.slice(0, 130, 500));
  CHECK(accumulator.count() == 500);
  const FeatureStats batched = accumulator.finish();
  CHECK(batched.count == 500);
  CHECK(relative_error(batched.mean, whole.mean) < 1e-12);
  CHECK(relative_error(batched.cov, whole.cov) < 1e-10);

  SECTION("float32 batches are accumulated in float64") {
    FeatureStatsAccumulator single;
    single.add(features.to(torch::kFloat32));
    const FeatureStats from_float = single.finish();
    CHECK(from_float.cov.scalar_type() == torch::kFloat64);
    CHECK(relative_error(from_float.cov, whole.cov) < 1e-6);
  }
}

TEST_CASE("the feature accumulator refuses too few rows, mixed sizes and NaN", "[metrics]") {
  FeatureStatsAccumulator accumulator;
  CHECK_THROWS_WITH(accumulator.finish(), Contains("at least 2") && Contains("got 0"));
  accumulator.add(torch::zeros({1, 8}));
  CHECK_THROWS_AS(accumulator.finish(), RuntimeError);
  CHECK_THROWS_WITH(accumulator.add(torch::zeros({3, 4})),
                    Contains("feature sizes differ") && Contains("4") && Contains("8"));
  CHECK_THROWS_WITH(accumulator.add(torch::zeros({8})), Contains("[B, D]"));
  CHECK_THROWS_WITH(accumulator.add(torch::full({2, 8}, std::nan(""))), Contains("NaN"));
  CHECK_THROWS_AS(feature_stats(torch::zeros({1, 3})), RuntimeError);
}

TEST_CASE("the Fréchet distance of a feature set to itself is 0", "[metrics]") {
  for (const char* name : {"fid_well_a", "fid_few_a", "fid_singular_a"}) {
    INFO(name);
    const FeatureStats stats = feature_stats(fixture(name));
    CHECK(std::abs(frechet_distance(stats, stats)) < 1e-6);
  }
}

TEST_CASE("the Fréchet distance matches pytorch-fid's value", "[metrics]") {
  // "well": 500 rows in 64-d; "few": 70 rows, ill-conditioned covariances; "tiny": one direction
  // with 1e-10 of the others' variance; "singular": 40 rows in 64-d, rank-deficient covariances.
  for (const std::string name : {"fid_well", "fid_few", "fid_tiny", "fid_singular"}) {
    INFO(name);
    const double fid = frechet_distance(feature_stats(fixture(name + "_a")), feature_stats(fixture(name + "_b")));
    CHECK(fid == Approx(expected(name)).epsilon(1e-6));
  }
}

TEST_CASE("the Fréchet distance is symmetric and grows with a mean shift", "[metrics]") {
  const FeatureStats a = feature_stats(fixture("fid_well_a"));
  const FeatureStats b = feature_stats(fixture("fid_well_b"));
  CHECK(frechet_distance(a, b) == Approx(frechet_distance(b, a)).epsilon(1e-10));
  FeatureStats shifted = a;
  shifted.mean = a.mean + 0.5;  // ||shift||² = 64 · 0.25 = 16
  CHECK(frechet_distance(a, shifted) == Approx(16.0).epsilon(1e-9));
}

TEST_CASE("the Fréchet distance refuses statistics of different feature sizes", "[metrics]") {
  const FeatureStats a = feature_stats(gaussian({10, 2048}, 1).slice(1, 0, 8).repeat({1, 256}));
  const FeatureStats b = feature_stats(gaussian({10, 128}, 2));
  CHECK_THROWS_WITH(frechet_distance(a, b), Contains("feature sizes differ: 2048 vs 128"));
  CHECK_THROWS_AS(frechet_distance(a, FeatureStats{}), RuntimeError);
}

TEST_CASE("matrix_sqrt matches scipy.linalg.sqrtm on products of covariance matrices", "[metrics]") {
  for (const std::string name : {"well", "few", "tiny"}) {
    INFO(name);
    const torch::Tensor a = fixture("sqrtm_" + name + "_a");
    const torch::Tensor root = matrix_sqrt(a);
    CHECK(relative_error(root, fixture("sqrtm_" + name + "_root")) < 1e-6);
    CHECK(relative_error(root.mm(root), a) < 1e-10);
  }
}

TEST_CASE("matrix_sqrt finds the root of small matrices with known roots", "[metrics]") {
  SECTION("a symmetric positive definite matrix") {
    const torch::Tensor root = torch::tensor({{2.0, 1.0}, {1.0, 3.0}}, torch::kFloat64);
    CHECK(relative_error(matrix_sqrt(root.mm(root)), root) < 1e-12);
  }
  SECTION("a rotation by 60 degrees has the rotation by 30 degrees as root") {
    const double c = std::cos(M_PI / 3), s = std::sin(M_PI / 3);
    const double c2 = std::cos(M_PI / 6), s2 = std::sin(M_PI / 6);
    const torch::Tensor a = torch::tensor({{c, -s}, {s, c}}, torch::kFloat64);
    const torch::Tensor root = torch::tensor({{c2, -s2}, {s2, c2}}, torch::kFloat64);
    CHECK(relative_error(matrix_sqrt(a), root) < 1e-12);
  }
  SECTION("defective Jordan blocks, where eigenvectors do not span the space") {
    const torch::Tensor jordan2 = torch::tensor({{4.0, 1.0}, {0.0, 4.0}}, torch::kFloat64);
    CHECK(relative_error(matrix_sqrt(jordan2), torch::tensor({{2.0, 0.25}, {0.0, 2.0}}, torch::kFloat64)) < 1e-12);
    const torch::Tensor jordan3 = torch::tensor({{4.0, 1.0, 0.0}, {0.0, 4.0, 1.0}, {0.0, 0.0, 4.0}}, torch::kFloat64);
    const torch::Tensor root3 =
        torch::tensor({{2.0, 0.25, -1.0 / 64}, {0.0, 2.0, 0.25}, {0.0, 0.0, 2.0}}, torch::kFloat64);
    CHECK(relative_error(matrix_sqrt(jordan3), root3) < 1e-12);
  }
  SECTION("the zero matrix") {
    CHECK(torch::equal(matrix_sqrt(torch::zeros({3, 3}, torch::kFloat64)), torch::zeros({3, 3}, torch::kFloat64)));
  }
}

TEST_CASE("matrix_sqrt refuses matrices without a real principal square root", "[metrics]") {
  CHECK_THROWS_WITH(matrix_sqrt(torch::tensor({{-1.0, 0.0}, {0.0, 4.0}}, torch::kFloat64)),
                    Contains("no accurate real square root"));
  // Nilpotent: no square root at all.
  CHECK_THROWS_AS(matrix_sqrt(torch::tensor({{0.0, 1.0}, {0.0, 0.0}}, torch::kFloat64)), RuntimeError);
  CHECK_THROWS_WITH(matrix_sqrt(torch::zeros({2, 3})), Contains("square matrix"));
}

// ---- Kernel Inception Distance ------------------------------------------------------------------

TEST_CASE("KID over whole sets matches torch-fidelity's unbiased MMD", "[metrics]") {
  // Equal sizes within max_subset_size: every subset would be a permutation of each whole set, so
  // one is computed instead of three copies with a spread of 0.
  const KidResult kid = kernel_inception_distance(fixture("kid_real"), fixture("kid_fake"), 3);
  CHECK(kid.subset_size == 200);
  CHECK(kid.num_subsets == 1);
  CHECK(kid.mean == Approx(expected("kid_whole")).epsilon(1e-8));
  CHECK(kid.std < 1e-12);
}

TEST_CASE("KID of two samples of one distribution is near 0", "[metrics]") {
  const torch::Tensor real = gaussian({600, 16}, 3);
  const KidResult same = kernel_inception_distance(real, gaussian({600, 16}, 4), 20, 200);
  const KidResult shifted = kernel_inception_distance(real, gaussian({600, 16}, 4) + 0.5, 20, 200);
  CHECK(same.subset_size == 200);
  CHECK(std::abs(same.mean) < 0.01);
  CHECK(shifted.mean > 10 * std::abs(same.mean));
}

TEST_CASE("KID subsets are fixed by the seed alone", "[metrics]") {
  const torch::Tensor real = gaussian({120, 8}, 5);
  const torch::Tensor fake = gaussian({90, 8}, 6) * 1.2;
  torch::manual_seed(1);
  const torch::Tensor global_before = torch::rand({4});
  torch::manual_seed(1);
  const KidResult first = kernel_inception_distance(real, fake, 10, 50, 42);
  const torch::Tensor global_after = torch::rand({4});
  CHECK(torch::equal(global_before, global_after));  // the global RNG is untouched

  const KidResult again = kernel_inception_distance(real, fake, 10, 50, 42);
  CHECK(first.mean == again.mean);
  CHECK(first.std == again.std);
  CHECK(first.subset_size == 50);
  CHECK(first.std > 0.0);
  CHECK(kernel_inception_distance(real, fake, 10, 50, 43).mean != first.mean);
}

TEST_CASE("KID refuses too few rows and different feature sizes", "[metrics]") {
  const torch::Tensor real = gaussian({10, 4}, 7);
  CHECK_THROWS_WITH(kernel_inception_distance(real, gaussian({1, 4}, 8)), Contains("at least 2 rows"));
  CHECK_THROWS_WITH(kernel_inception_distance(real, gaussian({10, 5}, 8)), Contains("feature sizes differ: 4 vs 5"));
  CHECK_THROWS_AS(kernel_inception_distance(real, real, 0), RuntimeError);
}

// ---- Inception Score ----------------------------------------------------------------------------

TEST_CASE("a uniform predictor has Inception Score 1", "[metrics]") {
  const InceptionScoreResult score = inception_score(torch::full({100, 10}, 0.1), 10);
  CHECK(score.mean == Approx(1.0).epsilon(1e-9));
  CHECK(score.std < 1e-9);
  CHECK(score.splits == 10);
}

TEST_CASE("a confident, balanced predictor has Inception Score equal to the class count", "[metrics]") {
  const int classes = 10, splits = 5, per_class = 3;
  const torch::Tensor labels = torch::arange(classes * splits * per_class) % classes;
  const torch::Tensor one_hot = torch::one_hot(labels, classes).to(torch::kFloat64);
  const InceptionScoreResult score = inception_score(one_hot, splits);
  CHECK(score.mean == Approx(classes).epsilon(1e-12));
  CHECK(score.std < 1e-12);
}

TEST_CASE("Inception Score matches stylegan2-ada's on Dirichlet probabilities", "[metrics]") {
  // 1003 rows: uneven parts, and some rows with exact zeros (0 log 0 = 0).
  const InceptionScoreResult score = inception_score(fixture("is_probs"), 10);
  CHECK(score.mean == Approx(expected("is_mean")).epsilon(1e-9));
  CHECK(score.std == Approx(expected("is_std")).epsilon(1e-7));
}

TEST_CASE("Inception Score refuses too few rows and rows that are not probabilities", "[metrics]") {
  CHECK_THROWS_WITH(inception_score(torch::full({5, 4}, 0.25), 10), Contains("5 rows") && Contains("10 splits"));
  torch::Tensor logits = gaussian({20, 4}, 9);
  CHECK_THROWS_WITH(inception_score(logits, 2), Contains("expected 1") && Contains("logits"));
  const torch::Tensor negative = torch::tensor({{1.5, -0.5}, {0.5, 0.5}}, torch::kFloat64);
  CHECK_THROWS_WITH(inception_score(negative, 1), Contains("negative"));
}

// ---- Precision and recall -----------------------------------------------------------------------

TEST_CASE("identical feature sets have precision and recall 1", "[metrics]") {
  const torch::Tensor features = gaussian({200, 12}, 10);
  const PrecisionRecallResult result = precision_recall(features, features);
  CHECK(result.precision == 1.0);
  CHECK(result.recall == 1.0);
  CHECK(result.k == 3);
}

TEST_CASE("far-apart clusters have precision and recall 0", "[metrics]") {
  const PrecisionRecallResult result = precision_recall(gaussian({100, 8}, 11), gaussian({80, 8}, 12) + 100.0);
  CHECK(result.precision == 0.0);
  CHECK(result.recall == 0.0);
}

TEST_CASE("precision and recall equal a brute-force reference", "[metrics]") {
  const torch::Tensor real = fixture("pr_real");
  const torch::Tensor fake = fixture("pr_fake");
  for (int k : {3, 5}) {
    INFO("k = " << k);
    const PrecisionRecallResult result = precision_recall(real, fake, k);
    CHECK(result.precision == expected("pr_precision_k" + std::to_string(k)));
    CHECK(result.recall == expected("pr_recall_k" + std::to_string(k)));
  }
}

TEST_CASE("the row batch size does not change precision and recall", "[metrics]") {
  const torch::Tensor real = fixture("pr_real");
  const torch::Tensor fake = fixture("pr_fake");
  const PrecisionRecallResult whole = precision_recall(real, fake, 3, 4096);
  for (std::int64_t row_batch : {1, 7, 64, 299}) {
    INFO("row_batch = " << row_batch);
    const PrecisionRecallResult batched = precision_recall(real, fake, 3, row_batch);
    CHECK(batched.precision == whole.precision);
    CHECK(batched.recall == whole.recall);
  }
}

TEST_CASE("precision and recall refuse k too large for the sets and mixed feature sizes", "[metrics]") {
  const torch::Tensor real = gaussian({10, 4}, 13);
  CHECK_THROWS_WITH(precision_recall(real, gaussian({3, 4}, 14), 3), Contains("k = 3") && Contains("fake"));
  CHECK_THROWS_AS(precision_recall(real, real, 10), RuntimeError);
  CHECK_THROWS_AS(precision_recall(real, real, 0), RuntimeError);
  CHECK_THROWS_WITH(precision_recall(real, gaussian({10, 5}, 14)), Contains("feature sizes differ: 4 vs 5"));
}

// ---- Paired image metrics -----------------------------------------------------------------------

TEST_CASE("identical images have infinite PSNR and SSIM 1", "[metrics]") {
  const torch::Tensor image = fixture("iq_a");
  CHECK(psnr(image, image) == std::numeric_limits<double>::infinity());
  CHECK(ssim(image, image) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("PSNR and SSIM match BasicSR's, with and without Y channel and border crop", "[metrics]") {
  const torch::Tensor a = fixture("iq_a");
  const torch::Tensor b = fixture("iq_b");
  for (int crop : {0, 4}) {
    for (bool y_only : {false, true}) {
      const std::string suffix = std::string(y_only ? "y" : "rgb") + "_crop" + std::to_string(crop);
      INFO(suffix);
      torch::Tensor x = crop_border(a, crop);
      torch::Tensor z = crop_border(b, crop);
      if (y_only) {
        x = rgb_to_y(x);
        z = rgb_to_y(z);
      }
      CHECK(psnr(x, z) == Approx(expected("psnr_" + suffix)).epsilon(1e-9));
      CHECK(ssim(x, z) == Approx(expected("ssim_" + suffix)).epsilon(1e-9));
    }
  }
}

TEST_CASE("rgb_to_y maps black to 16 and white to 235 as BT.601 studio range", "[metrics]") {
  const torch::Tensor black = rgb_to_y(torch::zeros({3, 2, 2}, torch::kFloat64));
  const torch::Tensor white = rgb_to_y(torch::full({3, 2, 2}, 255.0, torch::kFloat64));
  CHECK(black.sizes() == torch::IntArrayRef({1, 2, 2}));
  CHECK(black.max().item<double>() == Approx(16.0).epsilon(1e-12));
  CHECK(white.min().item<double>() == Approx(235.0).epsilon(1e-12));
  const torch::Tensor red = torch::zeros({3, 1, 1}, torch::kFloat64).index_fill_(0, torch::tensor({0}), 255.0);
  CHECK(rgb_to_y(red).item<double>() == Approx(16.0 + 65.481).epsilon(1e-12));
  CHECK_THROWS_AS(rgb_to_y(torch::zeros({1, 2, 2})), RuntimeError);
}

TEST_CASE("crop_border removes k pixels from each side", "[metrics]") {
  const torch::Tensor image = torch::arange(2 * 6 * 7, torch::kFloat64).reshape({2, 6, 7});
  const torch::Tensor cropped = crop_border(image, 2);
  CHECK(cropped.sizes() == torch::IntArrayRef({2, 2, 3}));
  CHECK(cropped[1][0][0].item<double>() == image[1][2][2].item<double>());
  CHECK(torch::equal(crop_border(image, 0), image));
  CHECK_THROWS_AS(crop_border(image, 3), RuntimeError);
  CHECK_THROWS_AS(crop_border(image, -1), RuntimeError);
}

TEST_CASE("PSNR and SSIM refuse different shapes and images under 11x11", "[metrics]") {
  const torch::Tensor a = torch::zeros({3, 20, 20}, torch::kFloat64);
  const torch::Tensor b = torch::zeros({3, 20, 21}, torch::kFloat64);
  CHECK_THROWS_WITH(psnr(a, b), Contains("[3, 20, 20]") && Contains("[3, 20, 21]"));
  CHECK_THROWS_WITH(ssim(a, b), Contains("[3, 20, 20]") && Contains("[3, 20, 21]"));
  const torch::Tensor small = torch::zeros({1, 10, 30}, torch::kFloat64);
  CHECK_THROWS_WITH(ssim(small, small), Contains("11x11"));
}
