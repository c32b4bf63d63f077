#include "synthgen/tasks/eval_task.h"

#include "synthgen/core/error.h"
#include "synthgen/train/image_generator.h"

namespace synthgen {
namespace {

int run_paired_metrics(const EvalRequest& request) {
  const std::string flag = given_sampling_flag(request.distribution.generator);
  if (!flag.empty()) throw UsageError(flag + " sets how a generator is sampled; paired metrics read two folders");
  if (!request.distribution.per_image_path.empty() || !request.distribution.copies_grid.empty()) {
    throw UsageError("--per-image and --copies-grid score a set (--real/--fake); paired metrics take neither");
  }
  if (request.paired.pred.empty() || request.paired.target.empty()) {
    throw UsageError("paired metrics need both --pred DIR and --target DIR");
  }
  PairedEvalRequest paired = request.paired;
  paired.metrics = request.metrics;
  paired.json_path = request.json_path;
  paired.threads = request.threads;
  return run_paired_eval(paired);
}

int run_set_metrics(const EvalRequest& request) {
  DistributionEvalRequest distribution = request.distribution;
  distribution.metrics = request.metrics;
  distribution.json_path = request.json_path;
  distribution.device = request.device;
  distribution.threads = request.threads;
  return run_distribution_eval(distribution);
}

}  // namespace

int run_eval(const EvalRequest& request) {
  if (request.cas_given) return run_cas(request.cas);
  const bool is_paired = !request.paired.pred.empty() || !request.paired.target.empty();
  const bool is_distribution = !request.distribution.real.empty() || !request.distribution.fake.empty();
  if (is_paired && is_distribution) {
    throw UsageError("--pred/--target (paired metrics) and --real/--fake (set metrics) exclude each other");
  }
  if (is_paired) return run_paired_metrics(request);
  if (!is_distribution) {
    throw UsageError("eval needs --real/--fake (set metrics), --pred/--target (paired metrics) or `eval cas`");
  }
  return run_set_metrics(request);
}

}  // namespace synthgen
