#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "synthgen/core/error.h"
#include "synthgen/train/diff_augment.h"

using namespace synthgen;
using train::AugmentPolicy;

namespace {

AugmentPolicy all_augmentations() { return train::parse_augment_policy("color,translation,cutout"); }

}  // namespace

TEST_CASE("augmentation policies parse and unknown words are refused", "[augment]") {
  const AugmentPolicy none = train::parse_augment_policy("none");
  CHECK_FALSE((none.color || none.translation || none.cutout));
  const AugmentPolicy some = train::parse_augment_policy("translation, cutout");
  CHECK_FALSE(some.color);
  CHECK(some.translation);
  CHECK(some.cutout);
  const AugmentPolicy all = all_augmentations();
  CHECK((all.color && all.translation && all.cutout));
  CHECK_THROWS_WITH(train::parse_augment_policy("color,flip"),
                    "train.augment: unknown augmentation 'flip'; expected none or a comma list of "
                    "color, translation, cutout");
  CHECK_THROWS_AS(train::parse_augment_policy(""), ConfigError);
  CHECK_THROWS_AS(train::parse_augment_policy("color,"), ConfigError);
  CHECK_THROWS_AS(train::parse_augment_policy("none,color"), ConfigError);
}

TEST_CASE("DiffAugment keeps shapes, and the policy none returns the images", "[augment]") {
  torch::manual_seed(0);
  const torch::Tensor images = torch::rand({3, 3, 16, 12}) * 2 - 1;
  CHECK(torch::equal(train::diff_augment(images, train::parse_augment_policy("none")), images));
  for (const char* text : {"color", "translation", "cutout", "color,translation,cutout"}) {
    CAPTURE(text);
    const torch::Tensor out = train::diff_augment(images, train::parse_augment_policy(text));
    CHECK(out.sizes() == images.sizes());
    CHECK(out.scalar_type() == images.scalar_type());
  }
}

TEST_CASE("gradients flow through DiffAugment to the images", "[augment]") {
  torch::manual_seed(1);
  const torch::Tensor images = (torch::rand({4, 3, 16, 16}) * 2 - 1).requires_grad_(true);
  train::diff_augment(images, all_augmentations()).square().sum().backward();
  REQUIRE(images.grad().defined());
  CHECK(images.grad().abs().sum().item<double>() > 0.0);
}

TEST_CASE("translation moves a single bright pixel by at most an eighth of the size", "[augment]") {
  torch::manual_seed(2);
  const std::int64_t size = 16;
  AugmentPolicy policy;
  policy.translation = true;
  int moved = 0;
  for (int trial = 0; trial < 50; ++trial) {
    const std::int64_t y = trial % size, x = (trial * 7) % size;
    torch::Tensor image = torch::zeros({1, 1, size, size});
    image[0][0][y][x] = 1.0f;
    const torch::Tensor out = train::diff_augment(image, policy);
    const torch::Tensor bright = torch::nonzero(out.flatten(1) == 1.0f);
    REQUIRE(bright.size(0) <= 1);  // the pixel stays once, or leaves through the border
    CHECK(out.abs().sum().item<float>() == Approx(bright.size(0)));
    if (bright.size(0) == 1) {
      const std::int64_t at = bright[0][1].item<std::int64_t>();
      CHECK(std::abs(at / size - y) <= size / 8);
      CHECK(std::abs(at % size - x) <= size / 8);
      moved += (at != y * size + x);
    } else {
      // Only a pixel within an eighth of the border can leave.
      CHECK(std::min({y, x, size - 1 - y, size - 1 - x}) < size / 8);
    }
  }
  CHECK(moved > 0);
}

TEST_CASE("cutout zeroes a square of half the height and width", "[augment]") {
  torch::manual_seed(3);
  AugmentPolicy policy;
  policy.cutout = true;
  const std::int64_t height = 16, width = 12;
  const torch::Tensor images = torch::ones({64, 3, height, width});
  const torch::Tensor out = train::diff_augment(images, policy);
  const std::int64_t square = (height / 2) * (width / 2);
  bool saw_whole_square = false;
  for (std::int64_t i = 0; i < out.size(0); ++i) {
    // Every channel is cut in the same place.
    CHECK(torch::equal(out[i][0], out[i][1]));
    CHECK(torch::equal(out[i][0], out[i][2]));
    const std::int64_t zeros = (out[i][0] == 0).sum().item<std::int64_t>();
    CHECK(zeros > 0);
    CHECK(zeros <= square);
    // The zeros form one axis-aligned rectangle.
    const torch::Tensor rows = (out[i][0] == 0).any(1).sum();
    const torch::Tensor cols = (out[i][0] == 0).any(0).sum();
    CHECK(rows.item<std::int64_t>() * cols.item<std::int64_t>() == zeros);
    saw_whole_square |= (zeros == square);
  }
  CHECK(saw_whole_square);
}

TEST_CASE("DiffAugment with the same seed gives the same output", "[augment]") {
  const torch::Tensor images = torch::linspace(-1, 1, 2 * 3 * 8 * 8).view({2, 3, 8, 8});
  torch::manual_seed(4);
  const torch::Tensor first = train::diff_augment(images, all_augmentations());
  torch::manual_seed(4);
  const torch::Tensor second = train::diff_augment(images, all_augmentations());
  CHECK(torch::equal(first, second));
  CHECK_FALSE(torch::equal(first, train::diff_augment(images, all_augmentations())));
}
