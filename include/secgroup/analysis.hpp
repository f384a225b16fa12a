// secgroup/analysis.hpp: every exact analysis of the interval engine in one include.
//
// Anomalies (shadowed, redundant, correlated, generalization), equivalence and semantic diff,
// reachability queries and connection checks, exposure, minimisation and reorder safety, all
// computed on the first-match partition of each direction and family.
#pragma once

#include "analysis/anomalies.hpp"
#include "analysis/diff.hpp"
#include "analysis/exposure.hpp"
#include "analysis/minimize.hpp"
#include "analysis/query.hpp"
#include "analysis/reorder.hpp"
#include "analysis/witness.hpp"
