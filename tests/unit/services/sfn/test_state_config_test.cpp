// TestState's stateConfiguration beyond retrierRetryCount: mapIterationFailureCount against
// a mocked Map's tolerated failure thresholds, errorCausedByState with a mocked Map or
// Parallel error, mapItemReaderData as what a Map's ItemReader reads, and their
// validation errors.
#include <gtest/gtest.h>

#include "engine_fixture.hpp"

namespace sluice::services::sfn::testing {
namespace {

class TestStateConfig : public EngineTest {
 protected:
  Result<TestStateResult> run(const TestStateRequest& r) {
    return wait_for<TestStateResult>([&](auto done) { engine().test_state(scope_, r, done); });
  }
  void expect_invalid(const TestStateRequest& r, const std::string& says) {
    auto out = run(r);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, "ValidationException");
    EXPECT_NE(out.error().message.find(says), std::string::npos) << out.error().message;
  }
};

constexpr const char* kMapWithThreshold = R"({"Type":"Map","ItemsPath":"$.items",
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"Work","States":{"Work":{"Type":"Pass","End":true}}},
    "ToleratedFailureCount":1,
    "Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"TooMany"}],
    "Next":"After"})";

TEST_F(TestStateConfig, map_iteration_failure_count_against_the_tolerated_failure_count) {
  TestStateRequest r;
  r.definition = kMapWithThreshold;
  r.input = R"({"items":[1,2,3]})";
  r.inspection_level = "DEBUG";
  r.mock_result = "[1,1,1]";
  r.map_iteration_failure_count = 1;  // tolerated: the mocked result stands
  auto ok = run(r);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, "SUCCEEDED");
  EXPECT_EQ(ok->next_state, "After");
  EXPECT_EQ(ok->output.value_or(""), "[1,1,1]");
  EXPECT_EQ(ok->inspection_data["toleratedFailureCount"], 1);

  r.map_iteration_failure_count = 2;  // over the threshold: the catcher takes it
  auto caught = run(r);
  ASSERT_TRUE(caught.ok()) << caught.error().message;
  EXPECT_EQ(caught->status, "CAUGHT_ERROR");
  EXPECT_EQ(caught->error.value_or(""), "States.ExceedToleratedFailureThreshold");
  EXPECT_EQ(caught->cause.value_or(""), "The specified tolerated failure threshold was exceeded");
  EXPECT_EQ(caught->next_state, "TooMany");
  EXPECT_EQ(caught->inspection_data["errorDetails"]["catchIndex"], 0);
}

TEST_F(TestStateConfig, map_iteration_failure_count_against_the_tolerated_percentage) {
  TestStateRequest r;
  r.definition = R"({"Type":"Map","ItemsPath":"$.items",
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
        "StartAt":"Work","States":{"Work":{"Type":"Pass","End":true}}},
      "ToleratedFailurePercentage":50,"End":true})";
  r.input = R"({"items":[1,2,3,4]})";
  r.mock_result = "[1,2,3,4]";
  r.map_iteration_failure_count = 2;  // 50%: not over
  auto ok = run(r);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, "SUCCEEDED");
  r.map_iteration_failure_count = 3;  // 75%
  auto failed = run(r);
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->status, "FAILED");
  EXPECT_EQ(failed->error.value_or(""), "States.ExceedToleratedFailureThreshold");
}

TEST_F(TestStateConfig, without_a_threshold_the_failure_count_leaves_the_mock_alone) {
  // AWS's TestState (no ToleratedFailure* in the state) answers with the mocked result.
  TestStateRequest r;
  r.definition = R"({"Type":"Map",
      "ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Pass","End":true}}},
      "End":true})";
  r.input = "[1,2,3]";
  r.mock_result = "[0,0,1]";
  r.map_iteration_failure_count = 2;
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->output.value_or(""), "[0,0,1]");
}

TEST_F(TestStateConfig, a_mocked_map_error_caused_by_an_inner_state) {
  TestStateRequest r;
  r.definition = R"({"StartAt":"Fan","States":{"Fan":{"Type":"Map",
      "ItemProcessor":{"StartAt":"Handle","States":{"Handle":{"Type":"Pass","End":true}}},
      "Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":1}],"End":true}}})";
  r.state_name = "Fan";
  r.input = "[1,2]";
  r.mock_error_given = true;
  r.mock_error = "Boom";
  r.mock_cause = "inner";
  r.error_caused_by_state = "Handle";
  auto retriable = run(r);
  ASSERT_TRUE(retriable.ok()) << retriable.error().message;
  EXPECT_EQ(retriable->status, "RETRIABLE");
  EXPECT_EQ(retriable->error.value_or(""), "Boom");
  r.retrier_retry_count = 1;
  r.map_iteration_failure_count = 1;  // the mocked error is what the Map fails with
  auto failed = run(r);
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->status, "FAILED");
  EXPECT_EQ(failed->error.value_or(""), "Boom");
  EXPECT_EQ(failed->cause.value_or(""), "inner");
}

TEST_F(TestStateConfig, a_mocked_parallel_error_caused_by_a_state_of_a_branch) {
  TestStateRequest r;
  r.definition = R"({"Type":"Parallel","Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
      {"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],
      "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Recover"}],
      "End":true})";
  r.input = R"({"x":1})";
  r.mock_error_given = true;
  r.mock_error = "Branch.Failed";
  r.mock_cause = "B broke";
  r.error_caused_by_state = "B";
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "CAUGHT_ERROR");
  EXPECT_EQ(out->next_state, "Recover");
  EXPECT_EQ(out->output.value_or(""),
            R"({"x":1,"err":{"Error":"Branch.Failed","Cause":"B broke"}})");
}

TEST_F(TestStateConfig, a_mocked_parallel_result_replaces_the_branches) {
  TestStateRequest r;
  r.definition = R"({"Type":"Parallel","Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"real","End":true}}}],
      "ResultSelector":{"first.$":"$[0]"},"End":true})";
  r.mock_result = R"(["mocked"])";
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->output.value_or(""), R"({"first":"mocked"})");
}

constexpr const char* kReaderMap = R"({"Type":"Map",
    "ItemReader":{"Resource":"arn:aws:states:::s3:getObject",
      "ReaderConfig":%CONFIG%,
      "Parameters":{"Bucket":"b","Key":"k"}},
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
      "StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}},
    "End":true})";

std::string reader_map(const std::string& config) {
  std::string def = kReaderMap;
  def.replace(def.find("%CONFIG%"), 8, config);
  return def;
}

TEST_F(TestStateConfig, map_item_reader_data_as_json_runs_the_iterations) {
  TestStateRequest r;
  r.definition = reader_map(R"({"InputType":"JSON","MaxItems":2})");
  r.input = "{}";
  r.inspection_level = "DEBUG";
  r.map_item_reader_data = R"([{"n":1},{"n":2},{"n":3}])";
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "SUCCEEDED");
  EXPECT_EQ(out->output.value_or(""), R"([{"n":1},{"n":2}])");  // MaxItems: 2

  // ItemsPointer picks the array out of an object; a mock stands for the iterations.
  r.definition = reader_map(R"({"InputType":"JSON","ItemsPointer":"/data/rows"})");
  r.map_item_reader_data = R"({"data":{"rows":[7,8]}})";
  r.mock_result = R"(["m"])";
  out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->output.value_or(""), R"(["m"])");
  EXPECT_EQ(out->inspection_data["afterItemsPointer"], "[7,8]");
}

TEST_F(TestStateConfig, map_item_reader_data_as_jsonl_and_csv) {
  TestStateRequest r;
  r.definition = reader_map(R"({"InputType":"JSONL"})");
  r.map_item_reader_data = "{\"a\":1}\n\n{\"a\":2}\r\n";
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->output.value_or(""), R"([{"a":1},{"a":2}])");

  r.definition = reader_map(R"({"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"})");
  r.map_item_reader_data = "id,name\n1,\"Smith, J\"\n2,\"say \"\"hi\"\"\"\n";
  out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->output.value_or(""),
            R"([{"id":"1","name":"Smith, J"},{"id":"2","name":"say \"hi\""}])");

  r.definition = reader_map(
      R"({"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["x","y"],
          "CSVDelimiter":"SEMICOLON","MaxItems":1})");
  r.map_item_reader_data = "1;2\n3;4\n";
  out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->output.value_or(""), R"([{"x":"1","y":"2"}])");
}

TEST_F(TestStateConfig, unreadable_item_reader_data_fails_the_reader) {
  TestStateRequest r;
  r.definition = reader_map(R"({"InputType":"JSON"})");
  r.map_item_reader_data = R"({"not":"an array"})";
  auto out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "FAILED");
  EXPECT_EQ(out->error.value_or(""), "States.ItemReaderFailed");
  r.definition = reader_map(R"({"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"})");
  r.map_item_reader_data = "a,b\n1\n";
  out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->error.value_or(""), "States.ItemReaderFailed");
  // Without mapItemReaderData the reader still has no S3 to read.
  r.map_item_reader_data.reset();
  out = run(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->error.value_or(""), "States.ItemReaderFailed");
}

TEST_F(TestStateConfig, validation_errors) {
  TestStateRequest task;
  task.definition = R"({"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
      "Parameters":{"FunctionName":"f"},"End":true})";
  task.mock_error_given = true;
  task.mock_error = "E";
  task.error_caused_by_state = "Somewhere";
  expect_invalid(task, "only be specified for a Map or Parallel state");
  task.error_caused_by_state.reset();
  task.map_iteration_failure_count = 1;
  expect_invalid(task, "mapIterationFailureCount can only be specified for a Map state");
  task.map_iteration_failure_count.reset();
  task.map_item_reader_data = "[]";
  expect_invalid(task, "mapItemReaderData can only be specified for a Map state with an");
  task.map_item_reader_data.reset();
  task.retrier_retry_count = -1;
  expect_invalid(task, "'stateConfiguration.retrierRetryCount'");

  TestStateRequest map;
  map.definition = kMapWithThreshold;
  map.input = R"({"items":[1]})";
  map.map_iteration_failure_count = -1;
  map.mock_result = "[1]";
  expect_invalid(map,
                 "Value '-1' at 'stateConfiguration.mapIterationFailureCount' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 0");
  map.map_iteration_failure_count = 1;
  map.mock_result.reset();
  expect_invalid(map, "mapIterationFailureCount can only be specified with a mock");
  map.map_iteration_failure_count.reset();
  map.mock_result = R"({"not":"array"})";
  expect_invalid(map, "Mocked result must be an array.");
  map.mock_result = "[1]";
  map.error_caused_by_state = "Work";
  expect_invalid(map, "errorCausedByState can only be specified with a mocked error");
  map.mock_result.reset();
  map.mock_error_given = true;
  map.mock_error = "E";
  map.error_caused_by_state = "Elsewhere";
  expect_invalid(map, "'Elsewhere' is not a state of the Map state's ItemProcessor");
  map.error_caused_by_state = std::string(81, 'x');
  expect_invalid(map, "Member must have length between 1 and 80");
  map.error_caused_by_state.reset();
  map.mock_error_given = false;
  map.map_item_reader_data = "[]";
  expect_invalid(map, "mapItemReaderData can only be specified for a Map state with an");

  TestStateRequest manifest;
  manifest.definition = reader_map(R"({"InputType":"MANIFEST"})");
  manifest.map_item_reader_data = "x";
  expect_invalid(manifest, "not 'MANIFEST'");
  manifest.definition = R"({"Type":"Map",
      "ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b"}},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
        "StartAt":"E","States":{"E":{"Type":"Pass","End":true}}},"End":true})";
  expect_invalid(manifest, "s3:listObjectsV2");
}

}  // namespace
}  // namespace sluice::services::sfn::testing
