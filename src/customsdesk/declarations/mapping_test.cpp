#include "customsdesk/declarations/mapping.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "customsdesk/core/json.hpp"
#include "customsdesk/declarations/validation.hpp"

namespace customsdesk::declarations {
namespace {

std::string CaseBody(const std::string& name) {
    std::ifstream in("tests/cases/declarations/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    return text.substr(0, text.find("\n----\n"));
}

Declaration FromJson(const std::string& text) {
    auto obj = core::ParseJsonObject(text);
    EXPECT_TRUE(obj);
    std::vector<Violation> v;
    auto d = ReadDeclaration(*obj, v);
    EXPECT_TRUE(v.empty());
    return d;
}

Declaration FromXml(const std::string& text) {
    auto shape = ParseDeclarationXml(text);
    EXPECT_TRUE(shape) << (shape ? "" : shape.error().fields.at(0).message);
    std::vector<Violation> v;
    auto d = ReadDeclaration(*shape, v);
    EXPECT_TRUE(v.empty()) << (v.empty() ? "" : v[0].pointer + " " + v[0].code);
    return d;
}

// The same declaration as JSON and as XML gives the same model and the same stored form.
TEST(Mapping, JsonAndXmlGiveTheSameModel) {
    const auto a = FromJson(CaseBody("pair-h1.json"));
    const auto b = FromXml(CaseBody("pair-h1.xml"));
    EXPECT_EQ(a, b);
    EXPECT_EQ(boost::json::serialize(ToJson(a)), boost::json::serialize(ToJson(b)));
    EXPECT_EQ(a.items.size(), 2u);
    EXPECT_EQ(a.items[1].net_mass->ToString(), "350.25");
}

TEST(Mapping, CanonicalFormsRoundTrip) {
    const auto a = FromJson(CaseBody("pair-h1.json"));
    EXPECT_EQ(FromJson(boost::json::serialize(ToJson(a))), a);
    EXPECT_EQ(FromXml(ToXml(a)), a);
}

TEST(Mapping, DecimalsAreExact) {
    auto d = FromJson(R"({"lrn":"x","type":"H7","declarant":{"identification_number":"FI1234567-1"},
        "items":[{"commodity_code":"950300","description":"d","customs_value":12,"item_amount":"0.30"}]})");
    EXPECT_EQ(d.items[0].customs_value->ToString(), "12");  // an integer JSON number is exact
    EXPECT_EQ(d.items[0].item_amount->ToString(), "0.3");   // value kept, canonical form
    // A fraction as a JSON number was rounded to a binary double by the parser: refused.
    auto obj = core::ParseJsonObject(R"({"lrn":"x","type":"H7","declarant":{"identification_number":"FI1234567-1"},
        "items":[{"commodity_code":"950300","description":"d","customs_value":0.1,"item_amount":"0.30"}]})");
    ASSERT_TRUE(obj);
    std::vector<Violation> v;
    (void)ReadDeclaration(*obj, v);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].pointer, "/items/0/customs_value");
    EXPECT_EQ(v[0].code, "decimal_as_string");
}

TEST(Mapping, PointersBecomeXPaths) {
    EXPECT_EQ(JsonPointerToXPath("/items/1/net_mass"), "/Declaration/GoodsItem[2]/NetMass");
    EXPECT_EQ(JsonPointerToXPath("/declarant/identification_number"), "/Declaration/Declarant/IdentificationNumber");
    EXPECT_EQ(JsonPointerToXPath("/items/0/supporting_documents/2/type"),
              "/Declaration/GoodsItem[1]/SupportingDocument[3]/Type");
    EXPECT_EQ(JsonPointerToXPath("/total_gross_mass"), "/Declaration/GrossMass");
    EXPECT_EQ(JsonPointerToXPath("/transport/mode_at_border", "/Declarations/Declaration[4]"),
              "/Declarations/Declaration[4]/ActiveBorderTransportMeans/ModeOfTransportAtTheBorder");
    EXPECT_EQ(JsonPointerToXPath("/Colour"), "/Declaration/Colour");
}

TEST(Mapping, BulkXmlSplitsDeclarations) {
    const std::string one = CaseBody("pair-h1.xml");
    const std::string inner = one.substr(one.find("<Declaration "));
    auto many = ParseDeclarationsXml("<Declarations>" + inner + inner + "</Declarations>");
    ASSERT_TRUE(many);
    EXPECT_EQ(many->size(), 2u);
    EXPECT_FALSE(ParseDeclarationsXml("<Declarations><Other/></Declarations>"));
    EXPECT_FALSE(ParseDeclarationXml("<Declarations/>"));
}

TEST(Mapping, XmlEntitiesAreNotExpanded) {
    auto r = ParseDeclarationXml(
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Declaration><LRN>&x;</LRN>"
        "</Declaration>");
    if (r) {
        auto it = r->find("lrn");
        ASSERT_NE(it, r->end());
        EXPECT_EQ(it->value().get_string().find("root"), std::string::npos);
    }
}

TEST(Messages, InTheCallersLanguage) {
    std::vector<Violation> v{{"/country_of_dispatch", "unknown_country", "XX", {}, {}, {}, {}},
                             {"/x", "import_destination", {}, {}, "English", "Suomi", "Svenska"}};
    auto fi = Localize(v, Language::kFi);
    EXPECT_EQ(fi[0].message, "Tuntematon maakoodi XX (ISO 3166-1).");
    EXPECT_EQ(fi[1].message, "Suomi");
    auto sv = Localize(v, Language::kSv);
    EXPECT_EQ(sv[0].message, "Okänd landskod XX (ISO 3166-1).");
    EXPECT_EQ(sv[1].message, "Svenska");
    EXPECT_EQ(Localize(v, Language::kEn)[1].message, "English");
}

TEST(Messages, AcceptLanguage) {
    EXPECT_EQ(FromAcceptLanguage("sv-FI,sv;q=0.9,en;q=0.8"), Language::kSv);
    EXPECT_EQ(FromAcceptLanguage("de, en;q=0.5, fi;q=0.7"), Language::kFi);
    EXPECT_EQ(FromAcceptLanguage("de"), std::nullopt);
    EXPECT_EQ(FromAcceptLanguage(""), std::nullopt);
}


}  // namespace
}  // namespace customsdesk::declarations
