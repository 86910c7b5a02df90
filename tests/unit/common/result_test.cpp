#include "sluice/common/result.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Result<int> half(int v) {
  if (v % 2) return Error::sender("Odd", "odd value");
  return v / 2;
}

Status quarter_is_even(int v, int& out) {
  auto h = half(v);
  SLUICE_TRY(h);
  auto q = half(*h);
  SLUICE_TRY(q);
  out = *q;
  return ok_status();
}

TEST(Result, holds_value_or_error) {
  auto ok = half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "Odd");
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_TRUE(bad.error().sender_fault);
}

TEST(Result, try_propagates_first_error) {
  int out = 0;
  EXPECT_TRUE(quarter_is_even(8, out).ok());
  EXPECT_EQ(out, 2);
  auto st = quarter_is_even(6, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "Odd");
}

TEST(Result, internal_and_unavailable_are_receiver_faults) {
  EXPECT_EQ(Error::internal("x").http_status, 500);
  EXPECT_FALSE(Error::internal("x").sender_fault);
  EXPECT_EQ(Error::unavailable("x").http_status, 503);
  EXPECT_EQ(Error::unavailable("x").code, "ServiceUnavailable");
}

}  // namespace
}  // namespace sluice
