#include <fmt/format.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "synthgen/core/csv.h"
#include "synthgen/core/error.h"
#include "synthgen/data/batches.h"
#include "synthgen/data/dataset.h"
#include "synthgen/data/idx.h"
#include "synthgen/data/image_folder.h"
#include "synthgen/io/file_io.h"
#include "synthgen/io/image_codec.h"
#include "test_support.h"

using namespace synthgen;
using Catch::Contains;
using synthgen::testing::write_bytes;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> idx_header(std::uint32_t magic, std::vector<std::uint32_t> dims) {
  std::vector<std::uint8_t> bytes;
  auto put = [&bytes](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> shift));
  };
  put(magic);
  for (std::uint32_t d : dims) put(d);
  return bytes;
}

DataConfig folder_config(const fs::path& root, int size = 16, int channels = 3) {
  DataConfig cfg;
  cfg.source = "folder";
  cfg.path = root.string();
  cfg.image_size = size;
  cfg.channels = channels;
  return cfg;
}

}  // namespace

TEST_CASE("Fashion-MNIST loads from Debian's files with the right pixels and labels", "[data]") {
  DataConfig cfg;
  cfg.image_size = 28;
  const data::ImageDataset train = data::load_dataset(cfg, 2);
  REQUIRE(train.images.sizes() == torch::IntArrayRef({60000, 1, 28, 28}));
  REQUIRE(train.images.scalar_type() == torch::kUInt8);
  // Reference values from the raw file, read independently with Debian's Python:
  //   /usr/bin/python3 -c "import gzip, numpy as np; d = gzip.open('/usr/share/datasets/
  //     fashion-mnist/train-images-idx3-ubyte.gz').read(); i = np.frombuffer(d, np.uint8,
  //     offset=16).reshape(-1, 28, 28); print(int(i[0].sum()), i[0][14,14], i[0][20,5], i[0][4,15])"
  // gives 76247 217 205 136; image 59999 sums to 16684 with label 5.
  const torch::Tensor first = train.images[0][0];
  CHECK(first.sum().item<std::int64_t>() == 76247);
  CHECK(first[14][14].item<int>() == 217);
  CHECK(first[20][5].item<int>() == 205);
  CHECK(first[4][15].item<int>() == 136);
  CHECK(first[10][10].item<int>() == 0);
  CHECK(train.labels[0].item<std::int64_t>() == 9);
  CHECK(train.class_names[9] == "Ankle boot");
  CHECK(train.images[59999].sum().item<std::int64_t>() == 16684);
  CHECK(train.labels[59999].item<std::int64_t>() == 5);

  cfg.split = "test";
  const data::ImageDataset test = data::load_dataset(cfg, 2);
  CHECK(test.size() == 10000);
  CHECK(test.labels[0].item<std::int64_t>() == 9);
  CHECK(test.labels[1].item<std::int64_t>() == 2);

  SECTION("resized to 32 and repeated to 3 channels") {
    cfg.image_size = 32;
    cfg.channels = 3;
    cfg.max_images = 100;
    const data::ImageDataset resized = data::load_dataset(cfg, 2);
    REQUIRE(resized.images.sizes() == torch::IntArrayRef({100, 3, 32, 32}));
    CHECK(torch::equal(resized.images.select(1, 0), resized.images.select(1, 2)));
    CHECK(resized.labels.size(0) == 100);
  }
  SECTION("data.pad puts the 28x28 pixels unresampled inside a black border") {
    cfg.image_size = 32;
    cfg.pad = 2;
    cfg.max_images = 100;
    const data::ImageDataset padded = data::load_dataset(cfg, 2);
    REQUIRE(padded.images.sizes() == torch::IntArrayRef({100, 1, 32, 32}));
    const torch::Tensor inner = padded.images.narrow(2, 2, 28).narrow(3, 2, 28);
    CHECK(torch::equal(inner, test.images.narrow(0, 0, 100)));
    CHECK(padded.images.sum().item<std::int64_t>() == inner.sum().item<std::int64_t>());
  }
  SECTION("a missing folder names the package to install") {
    cfg.path = "/nonexistent/fashion";
    CHECK_THROWS_WITH(data::load_dataset(cfg, 1), Contains("/nonexistent/fashion"));
    cfg.path = "";
    // The default folder exists here; the hint is checked through the message of a wrong split file.
  }
}

TEST_CASE("IDX files: raw and gzipped, damaged ones refused", "[data]") {
  testing::TempDir dir;
  std::vector<std::uint8_t> images = idx_header(0x00000803, {2, 2, 3});
  for (int i = 0; i < 12; ++i) images.push_back(static_cast<std::uint8_t>(i * 10));
  std::vector<std::uint8_t> labels = idx_header(0x00000801, {2});
  labels.push_back(4);
  labels.push_back(7);
  write_bytes(dir / "images.idx", images);
  write_bytes(dir / "labels.idx", labels);

  const torch::Tensor read = data::read_idx_images((dir / "images.idx").string());
  CHECK(read.sizes() == torch::IntArrayRef({2, 2, 3}));
  CHECK(read[1][1][2].item<int>() == 110);
  CHECK(data::read_idx_labels((dir / "labels.idx").string())[1].item<std::int64_t>() == 7);

  DataConfig cfg;
  cfg.source = "idx";
  cfg.path = (dir / "images.idx").string();
  cfg.labels = (dir / "labels.idx").string();
  cfg.image_size = 8;
  const data::ImageDataset dataset = data::load_dataset(cfg, 1);
  CHECK(dataset.images.sizes() == torch::IntArrayRef({2, 1, 8, 8}));
  CHECK(dataset.class_names.size() == 8);

  SECTION("truncated") {
    images.pop_back();
    write_bytes(dir / "short.idx", images);
    CHECK_THROWS_WITH(data::read_idx_images((dir / "short.idx").string()),
                      Contains("short.idx") && Contains("truncated"));
  }
  SECTION("wrong magic") {
    CHECK_THROWS_WITH(data::read_idx_images((dir / "labels.idx").string()), Contains("expected magic 0x00000803"));
  }
  SECTION("counts that disagree") {
    write_bytes(dir / "one_label.idx", {0, 0, 8, 1, 0, 0, 0, 1, 3});
    cfg.labels = (dir / "one_label.idx").string();
    CHECK_THROWS_WITH(data::load_dataset(cfg, 1), Contains("2 images") && Contains("1 labels"));
  }
  SECTION("broken gzip") {
    write_bytes(dir / "broken.gz", {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
    CHECK_THROWS_WITH(data::read_idx_images((dir / "broken.gz").string()), Contains("broken.gz"));
  }
}

TEST_CASE("image folders: class sub-folders, sorted files, bad files skipped", "[data]") {
  testing::TempDir dir;
  const fs::path root = dir / "images";
  testing::write_test_png(root / "cats" / "b.png", 20, 24, 3, 1);
  testing::write_test_png(root / "cats" / "a.png", 32, 16, 3, 2);
  testing::write_test_png(root / "dogs" / "deep" / "c.PNG", 16, 16, 1, 3);
  testing::write_test_png(root / "dogs" / "d.png", 16, 16, 3, 4);
  fs::create_directories(root / "empty_class");
  // The bad ones, each skipped with a warning.
  std::vector<std::uint8_t> png = io::read_file_bytes((root / "cats" / "a.png").string());
  write_bytes(root / "dogs" / "truncated.png", std::vector<std::uint8_t>(png.begin(), png.begin() + png.size() / 2));
  write_bytes(root / "dogs" / "noise.png", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  write_bytes(root / "dogs" / "zero.jpg", {});
  write_bytes(root / "dogs" / "anim.png", {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, 0, 0, 0});
  std::vector<std::uint8_t> huge = png;  // a PNG header claiming 17000 x 17000 pixels
  for (int i = 0; i < 4; ++i) {
    huge[16 + i] = static_cast<std::uint8_t>(17000 >> (24 - 8 * i));
    huge[20 + i] = static_cast<std::uint8_t>(17000 >> (24 - 8 * i));
  }
  write_bytes(root / "dogs" / "huge.png", huge);
  CHECK_THROWS_WITH(io::read_image((root / "dogs" / "huge.png").string(), 3),
                    Contains("huge.png") && Contains("17000x17000") && Contains("limit of 16384"));
  write_bytes(root / "dogs" / "notes.txt", {'h', 'i'});

  data::LoadStats stats;
  const data::ImageDataset dataset = data::load_dataset(folder_config(root), 2, &stats);
  CHECK(stats.loaded == 4);
  CHECK(stats.skipped == 5);
  REQUIRE(dataset.images.sizes() == torch::IntArrayRef({4, 3, 16, 16}));
  CHECK(dataset.class_names == std::vector<std::string>{"cats", "dogs"});
  CHECK(dataset.labels.equal(torch::tensor({0, 0, 1, 1}, torch::kInt64)));
  // Sorted order: cats/a, cats/b, dogs/d, dogs/deep/c; a grey file became 3 equal channels.
  io::Image a = io::resize_and_center_crop(io::read_image((root / "cats" / "a.png").string(), 3), 16);
  CHECK(dataset.images[0].permute({1, 2, 0}).flatten().equal(
      torch::from_blob(a.pixels.data(), {static_cast<std::int64_t>(a.pixels.size())}, torch::kUInt8)));
  CHECK(torch::equal(dataset.images[3][0], dataset.images[3][1]));

  SECTION("max_images takes the first files") {
    DataConfig cfg = folder_config(root);
    cfg.max_images = 2;
    CHECK(data::load_dataset(cfg, 1).labels.equal(torch::tensor({0, 0}, torch::kInt64)));
  }
  SECTION("a flat folder is unlabelled") {
    testing::write_test_png(dir / "flat" / "x.png", 16, 16, 3, 5);
    testing::write_test_png(dir / "flat" / "sub" / "y.png", 16, 16, 3, 6);
    const data::ImageDataset flat = data::load_dataset(folder_config(dir / "flat"), 1);
    CHECK(flat.size() == 2);
    CHECK_FALSE(flat.labels.defined());
    CHECK(flat.class_names.empty());
  }
  SECTION("a folder without usable images is an error naming it") {
    fs::create_directories(dir / "nothing");
    CHECK_THROWS_WITH(data::load_dataset(folder_config(dir / "nothing"), 1),
                      Contains("nothing") && Contains("no image"));
    write_bytes(dir / "bad" / "x.png", {1, 2, 3});
    CHECK_THROWS_WITH(data::load_dataset(folder_config(dir / "bad"), 1), Contains("no usable image"));
    CHECK_THROWS_AS(data::load_dataset(folder_config(dir / "missing"), 1), UsageError);
  }
}

TEST_CASE("CSV fields written by csv_field read back with parse_csv", "[data]") {
  const std::vector<std::string> names = {"plain", "with, comma", "say \"hi\"", "two\nlines", ""};
  std::string text = "name,index\r\n";
  for (std::size_t i = 0; i < names.size(); ++i) text += csv_field(names[i]) + "," + std::to_string(i) + "\n";
  text += "\n";  // a blank line at the end is no row
  const std::vector<CsvRow> rows = parse_csv(text, "t.csv");
  REQUIRE(rows.size() == names.size() + 1);
  CHECK(rows[0].fields == std::vector<std::string>{"name", "index"});
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK(rows[i + 1].fields == std::vector<std::string>{names[i], std::to_string(i)});
  }
  CHECK(rows[5].line == 7);  // the row after the two-line field starts a line later
  CHECK_THROWS_WITH(parse_csv("a,\"open\n", "t.csv"), Contains("t.csv:1") && Contains("never closed"));
}

TEST_CASE("labelled data from synthgen's manifest.csv: labels by row, class names by label", "[data]") {
  testing::TempDir dir;
  const fs::path root = dir / "samples";
  for (int i = 0; i < 4; ++i) testing::write_test_png(root / fmt::format("{:06d}.png", i), 16, 16, 3, i);
  auto write_manifest = [&root](const std::string& text) {
    write_bytes(root / "manifest.csv", std::vector<std::uint8_t>(text.begin(), text.end()));
  };
  // As `synthgen sample` writes it; class 1 never drawn, a class name quoted for its comma.
  write_manifest(
      "file,seed,label,class\n000000.png,0,2,\"Shirt, long\"\n000001.png,1,0,Coat\n"
      "000002.png,2,2,\"Shirt, long\"\n000003.png,3,0,Coat\n");
  const data::FolderListing listing = data::list_image_folder(root.string());
  CHECK(listing.labels == std::vector<std::int64_t>{2, 0, 2, 0});
  CHECK(listing.class_names == std::vector<std::string>{"Coat", "1", "Shirt, long"});
  const data::ImageDataset dataset = data::load_dataset(folder_config(root), 1);
  CHECK(dataset.labels.equal(torch::tensor({2, 0, 2, 0}, torch::kInt64)));

  SECTION("a manifest without labels leaves the folder unlabelled") {
    write_manifest("file,seed\n000000.png,0\n000001.png,1\n000002.png,2\n000003.png,3\n");
    CHECK(data::list_image_folder(root.string()).labels.empty());
  }
  SECTION("an image the manifest does not label is an error naming both") {
    testing::write_test_png(root / "extra.png", 16, 16, 3, 9);
    CHECK_THROWS_AS(data::list_image_folder(root.string()), UsageError);
    CHECK_THROWS_WITH(data::list_image_folder(root.string()), Contains("extra.png") && Contains("manifest.csv"));
  }
  SECTION("a label that is not a class index is an error naming the line and the value") {
    write_manifest("file,seed,label,class\n000000.png,0,2,a\n000001.png,1,x,b\n000002.png,2,0,c\n000003.png,3,0,c\n");
    CHECK_THROWS_WITH(data::list_image_folder(root.string()),
                      Contains("manifest.csv:3") && Contains("'x'") && Contains("label"));
  }
  SECTION("a label named two ways is an error") {
    write_manifest("file,seed,label,class\n000000.png,0,0,a\n000001.png,1,0,b\n000002.png,2,0,a\n000003.png,3,0,a\n");
    CHECK_THROWS_WITH(data::list_image_folder(root.string()), Contains("manifest.csv:3") && Contains("'b'"));
  }
  SECTION("rows of images removed since (curated away) are ignored") {
    fs::remove(root / "000001.png");
    const data::FolderListing curated = data::list_image_folder(root.string());
    CHECK(curated.files.size() == 3);
    CHECK(curated.labels == std::vector<std::int64_t>{2, 2, 0});
  }
}

TEST_CASE("the index stream is a reproducible sequence of permutations", "[data]") {
  data::IndexStream stream(10, 42);
  std::vector<std::int64_t> first = stream.next(10);
  CHECK(std::set<std::int64_t>(first.begin(), first.end()).size() == 10);
  std::vector<std::int64_t> second = stream.next(10);
  CHECK(std::set<std::int64_t>(second.begin(), second.end()).size() == 10);
  CHECK(first != second);
  CHECK(data::IndexStream(10, 42).next(10) == first);
  CHECK(data::IndexStream(10, 43).next(10) != first);

  SECTION("batches longer than the data set span epochs") {
    data::IndexStream long_batches(3, 1);
    const std::vector<std::int64_t> batch = long_batches.next(7);
    CHECK(batch.size() == 7);
    CHECK(long_batches.state().epoch == 2);
    CHECK(long_batches.state().position == 1);
  }
  SECTION("restoring the state continues identically") {
    data::IndexStream a(13, 5);
    a.next(9);
    const data::IndexStream::State state = a.state();
    const std::vector<std::int64_t> expected = a.next(20);
    data::IndexStream b(13, 5);
    b.restore(state);
    CHECK(b.next(20) == expected);
    CHECK_THROWS_AS(b.restore({0, 14}), RuntimeError);
  }
}

TEST_CASE("batches map pixels to [-1, 1] and flip reproducibly", "[data]") {
  data::ImageDataset dataset;
  dataset.images = torch::arange(0, 4 * 2 * 2, torch::kUInt8).view({4, 1, 2, 2}).contiguous();
  dataset.images[3].fill_(255);
  dataset.labels = torch::tensor({5, 6, 7, 8}, torch::kInt64);
  const torch::Tensor batch = data::gather_batch(dataset, {3, 0}, {}, 0, 0);
  CHECK(batch.sizes() == torch::IntArrayRef({2, 1, 2, 2}));
  CHECK(batch[0].min().item<float>() == 1.0f);
  CHECK(batch[1][0][0][0].item<float>() == -1.0f);
  CHECK(data::gather_labels(dataset, {3, 0}).equal(torch::tensor({8, 5}, torch::kInt64)));

  std::vector<std::int64_t> many(64, 1);
  const torch::Tensor flipped = data::gather_batch(dataset, many, {true, 0}, 9, 100);
  CHECK(torch::equal(flipped, data::gather_batch(dataset, many, {true, 0}, 9, 100)));
  const torch::Tensor plain = data::gather_batch(dataset, {1}, {}, 0, 0)[0];
  int mirrored = 0;
  for (int i = 0; i < 64; ++i) {
    const bool is_plain = torch::equal(flipped[i], plain);
    const bool is_mirror = torch::equal(flipped[i], plain.flip({2}));
    CHECK((is_plain || is_mirror));
    mirrored += is_mirror;
  }
  CHECK(mirrored > 16);
  CHECK(mirrored < 48);
}
