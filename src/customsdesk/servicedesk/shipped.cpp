#include "customsdesk/servicedesk/service_desk.hpp"

namespace customsdesk::servicedesk {

extern const std::string_view kShippedRoutingDmn;

std::string_view ShippedRoutingDmn() { return kShippedRoutingDmn; }

}  // namespace customsdesk::servicedesk
