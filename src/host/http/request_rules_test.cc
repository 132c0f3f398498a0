#include "host/http/request_rules.h"

#include <gtest/gtest.h>

namespace teep::host::http_rules {
namespace {

using Outcome = RouteMatch::Outcome;

TEST(RouteTableTest, FindsExactPathAndMethod) {
  RouteTable table;
  table.Add("POST", "/tam", RouteKind::kTeep);
  RouteMatch match = table.Find("POST", "/tam");
  EXPECT_EQ(match.outcome, Outcome::kFound);
  EXPECT_EQ(match.kind, RouteKind::kTeep);
  EXPECT_EQ(match.path, "/tam");
}

TEST(RouteTableTest, OtherPathsAreNotFound) {
  RouteTable table;
  table.Add("POST", "/tam", RouteKind::kTeep);
  EXPECT_EQ(table.Find("POST", "/tam/").outcome, Outcome::kNoSuchPath);
  EXPECT_EQ(table.Find("POST", "/TAM").outcome, Outcome::kNoSuchPath);
  EXPECT_EQ(table.Find("POST", "/").outcome, Outcome::kNoSuchPath);
  EXPECT_EQ(table.Find("POST", "*").outcome, Outcome::kNoSuchPath);
  EXPECT_EQ(table.Find("GET", "/admin").outcome, Outcome::kNoSuchPath);
}

// otrp-over-http-15 §4: only POST; RFC 9110 §15.5.6: 405 lists what is allowed.
TEST(RouteTableTest, OtherMethodsListTheAllowedOnes) {
  RouteTable table;
  table.Add("POST", "/tam", RouteKind::kTeep);
  RouteMatch match = table.Find("GET", "/tam");
  EXPECT_EQ(match.outcome, Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "POST");
  // Methods are case-sensitive (RFC 9110 §9.1).
  EXPECT_EQ(table.Find("post", "/tam").outcome, Outcome::kMethodNotAllowed);

  table.Add("PUT", "/tam", RouteKind::kTeep);
  EXPECT_EQ(table.Find("DELETE", "/tam").allow, "POST, PUT");
  EXPECT_EQ(table.Find("PUT", "/tam").outcome, Outcome::kFound);
}

TEST(RouteTableTest, QueryAndAbsoluteFormAreReducedToThePath) {
  RouteTable table;
  table.Add("POST", "/tam", RouteKind::kTeep);
  EXPECT_EQ(table.Find("POST", "/tam?device=1").outcome, Outcome::kFound);
  EXPECT_EQ(table.Find("POST", "http://tam.example:8080/tam").outcome, Outcome::kFound);
  EXPECT_EQ(table.Find("POST", "HTTPS://tam.example/tam?x").outcome, Outcome::kFound);
  EXPECT_EQ(TargetPath("http://tam.example"), "/");
  EXPECT_EQ(TargetPath("http://tam.example?q"), "/");
  EXPECT_EQ(TargetPath(""), "");
  EXPECT_EQ(TargetPath("/a/b#frag"), "/a/b");
}

// otrp-over-http-15 §5.1.1, §6.1; RFC 9110 §8.3.1.
TEST(ContentTypeTest, TeepMediaTypeWithParametersAnyCase) {
  EXPECT_TRUE(IsTeepContentType("application/teep+cbor"));
  EXPECT_TRUE(IsTeepContentType("Application/TEEP+CBOR"));
  EXPECT_TRUE(IsTeepContentType(" application/teep+cbor ; charset=binary"));
  EXPECT_TRUE(IsTeepContentType("application/teep+cbor;x=\"a;b\""));
  EXPECT_FALSE(IsTeepContentType(""));
  EXPECT_FALSE(IsTeepContentType("application/cbor"));
  EXPECT_FALSE(IsTeepContentType("application/teep+cbor-seq"));
  EXPECT_FALSE(IsTeepContentType("application/teep+json"));
  EXPECT_FALSE(IsTeepContentType("application/octet-stream"));
  EXPECT_FALSE(IsTeepContentType("application/teep+cbor, text/plain"));
}

// otrp-over-http-15 §5.1.1, §6.1; RFC 9110 §12.5.1.
TEST(AcceptTest, AdmitsTheTeepTypeAndItsWildcards) {
  EXPECT_TRUE(AcceptsTeep("application/teep+cbor"));
  EXPECT_TRUE(AcceptsTeep("APPLICATION/Teep+Cbor"));
  EXPECT_TRUE(AcceptsTeep("*/*"));
  EXPECT_TRUE(AcceptsTeep("application/*"));
  EXPECT_TRUE(AcceptsTeep("text/html, application/teep+cbor;q=0.5"));
  EXPECT_TRUE(AcceptsTeep("text/plain;q=0.3,*/*;q=0.1"));
  EXPECT_TRUE(AcceptsTeep("text/html;x=\"a,b\", application/teep+cbor"));
  EXPECT_TRUE(AcceptsTeep("application/teep+cbor;q=1.000"));
  EXPECT_TRUE(AcceptsTeep(" , application/teep+cbor ,"));
}

TEST(AcceptTest, RefusesMissingAndForeignTypes) {
  EXPECT_FALSE(AcceptsTeep(""));
  EXPECT_FALSE(AcceptsTeep("application/json"));
  EXPECT_FALSE(AcceptsTeep("application/cbor"));
  EXPECT_FALSE(AcceptsTeep("text/*"));
  EXPECT_FALSE(AcceptsTeep("*/teep+cbor"));
  EXPECT_FALSE(AcceptsTeep("text/html, application/json;q=1"));
}

// RFC 9110 §12.4.2: q=0 is "not acceptable"; the most specific range decides.
TEST(AcceptTest, ZeroWeightAndSpecificity) {
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor;q=0"));
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor; Q=0.000"));
  EXPECT_FALSE(AcceptsTeep("*/*, application/teep+cbor;q=0"));
  EXPECT_FALSE(AcceptsTeep("application/*;q=0, */*"));
  EXPECT_TRUE(AcceptsTeep("*/*;q=0, application/teep+cbor"));
  EXPECT_TRUE(AcceptsTeep("application/*;q=0, application/teep+cbor;q=0.001"));
  // A weight that is not a qvalue admits nothing.
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor;q=2"));
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor;q=0.5x"));
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor;q=1.5"));
  EXPECT_FALSE(AcceptsTeep("application/teep+cbor;q=0.0001"));
}

TEST(HttpDateTest, ImfFixdate) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace teep::host::http_rules
