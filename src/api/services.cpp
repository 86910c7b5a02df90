#include "sluice/api/services.hpp"

#include "sluice/api/sfn/sfn_api.hpp"
#include "sluice/api/sns/sns_api.hpp"
#include "sluice/api/sqs/sqs_api.hpp"

namespace sluice::api {

Result<std::unique_ptr<ServiceSet>> install_services(Dispatcher& dispatcher,
                                                     services::Runtime& runtime) {
  auto set = std::make_unique<ServiceSet>();
  auto sqs = sqs::install_sqs(dispatcher, runtime);
  if (!sqs.ok()) return sqs.error();
  set->engines.push_back(*sqs);
  auto sns = sns::install_sns(dispatcher, runtime, *sqs);
  if (!sns.ok()) return sns.error();
  set->engines.push_back(*sns);
  auto sfn = sfn::install_sfn(
      dispatcher, runtime,
      sfn::SfnWiring{*sqs, *sns, runtime.lambda_endpoint, runtime.sfn_mock_config});
  if (!sfn.ok()) return sfn.error();
  set->engines.push_back(*sfn);
  return set;
}

}  // namespace sluice::api
